"""Settings, URLs, base templates, sign-in and roles."""
