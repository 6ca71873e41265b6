"""The web chat page: a messenger-style page served by the HTTP front door at `/` (plain
HTML, CSS and JavaScript modules, nothing fetched from elsewhere), talking to the REST and
server-sent-events API."""
