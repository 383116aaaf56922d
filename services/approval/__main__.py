import sys

if sys.argv[1:] == ["api"]:
    from services.approval.api import main
    main()
else:
    from hall.runtime.nameko_runner import run
    run("approval-worker", "services.approval.service:ApprovalService")
