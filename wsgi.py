from dps import create_app

app = create_app()
