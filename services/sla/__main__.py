import sys

if sys.argv[1:] == ["api"]:
    from services.sla.api import main
    main()
else:
    from hall.runtime.nameko_runner import run
    run("sla-worker", "services.sla.service:SlaService")
