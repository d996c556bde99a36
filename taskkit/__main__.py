from taskkit.cli.main import run

run()
