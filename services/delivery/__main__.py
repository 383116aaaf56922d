import sys

if sys.argv[1:] == ["api"]:
    from services.delivery.api import main
    main()
else:
    from hall.runtime.nameko_runner import run
    run("delivery-worker", "services.delivery.service:DeliveryService")
