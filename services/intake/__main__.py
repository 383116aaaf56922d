import sys

if sys.argv[1:] == ["worker"]:
    from hall.runtime.nameko_runner import run
    run("intake-worker", "services.intake.service:IntakeService")
else:  # "api", or no argument as before
    from services.intake.api import main
    main()
