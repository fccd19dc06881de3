"""The application: settings, wiring, middlewares and plain domain modules."""
