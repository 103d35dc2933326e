from services.dispatch.app import main

main()
