from podfence.cli.main import main

main()
