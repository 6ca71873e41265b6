"""`emotion-chat`: the command line. Serves the services, runs the whole stack, builds
and exports models, talks to running services, benchmarks. Kept apart from the shared
foundation (`emotion_chat`) so that a service's image holds only its own code: every
service and tool is imported only by the command that needs it."""
