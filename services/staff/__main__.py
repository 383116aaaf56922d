from services.staff.api import main

main()
