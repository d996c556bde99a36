from taskkit.cli.main import main

main()
