import sys

from emotion_chat_cli.main import main

sys.exit(main())
