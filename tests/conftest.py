"""Web fixtures in the style of the Flask tutorial: an app on the bundled phrasebooks, its client and CLI runner."""
import pytest

from tact.web import create_app


@pytest.fixture
def app():
    app = create_app({"TESTING": True})
    yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()
