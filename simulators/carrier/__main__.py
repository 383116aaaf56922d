from hall.runtime.nameko_runner import run

run("carrier-sim", "simulators.carrier.service:CarrierService")
