import sys

if sys.argv[1:] == ["api"]:
    from services.routing.api import main
    main()
else:
    from hall.runtime.nameko_runner import run
    run("routing-worker", "services.routing.service:RoutingService")
