"""Show the text messages the hall recorded for a case (no SMS gateway is reachable here).

    .venv/bin/python -m hall.tools.sms CASE_NO
"""
from __future__ import annotations

import sys

import pymongo

from hall.infra import settings


def messages(mongo_uri: str, db_name: str, case_no: str) -> list[dict]:
    doc = pymongo.MongoClient(mongo_uri)[db_name].issuances.find_one({"_id": case_no}, {"notices": 1})
    return (doc or {}).get("notices", [])


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    settings.use_local_run()
    s = settings.load()
    found = messages(s.mongo_uri_of("delivery"), s.database("delivery"), sys.argv[1])
    if not found:
        sys.exit(f"no message recorded for {sys.argv[1]}")
    for m in found:
        print(f"{m['at']}  to {m['to']}: {m['text']}")


if __name__ == "__main__":
    main()
