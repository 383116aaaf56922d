import sys

if sys.argv[1:] == ["api"]:
    from services.delivery.api import main
    main()
else:
    from hall.runtime.nameko_runner import run
    import os
    street = os.environ.get("HALL_ROLE", "district") == "street"
    run("delivery-worker", "services.delivery.service:" + ("StreetDeliveryService" if street else "DeliveryService"))
