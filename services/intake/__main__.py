from services.intake.api import main

main()
