from hall.runtime.nameko_runner import run

run("routing-worker", "services.routing.service:RoutingService")
