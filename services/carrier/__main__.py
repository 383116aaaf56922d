from hall.runtime.nameko_runner import run

run("carrier-sim", "services.carrier.service:CarrierService")
