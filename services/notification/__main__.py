from services.notification.app import main

main()
