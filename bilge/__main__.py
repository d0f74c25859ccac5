from bilge.cli.main import main

main()
