"""A faithful fake of the Telegram Bot API, with simulated users, for tests and benchmarks.

    fake = FakeTelegram()
    bot = telegram.Bot(fake.token, base_url=fake.base_url, request=fake.ptb_request())
    user = fake.user(42, first_name="Sanne")
    await user.send("/start")
    reply = await user.next_message()

Nothing here reaches the internet: requests go to the ASGI app in process
(fake.transport()), or over 127.0.0.1 with serve_on_loopback().

Behaviour follows the Bot API server and TDLib: HTML / MarkdownV2 / Markdown are parsed
with TDLib's rules and error texts; texts are trimmed and get the entities Telegram finds
by itself (links, @mentions, /commands, #hashtags); an edit without reply_markup removes
the inline keyboard; block() / unblock() also queue my_chat_member updates (notify=False
to suppress); a user made with started=False can't be messaged until they write.
"""

from .errors import ApiError
from .files import StoredFile, sample_png
from .formatting import Formatted
from .loopback import serve_on_loopback
from .models import ApiCall, CallbackRecord, FakeChat, FakeMessage
from .params import UploadedFile
from .server import FakeTelegram
from .user import SimulatedUser

__all__ = [
    "ApiCall",
    "ApiError",
    "CallbackRecord",
    "FakeChat",
    "FakeMessage",
    "FakeTelegram",
    "Formatted",
    "SimulatedUser",
    "StoredFile",
    "UploadedFile",
    "sample_png",
    "serve_on_loopback",
]
