"""Names vulture cannot see used (``make lint`` runs vulture with this file).

Each is used by something that reads attributes by name: an ORM constructor, a Jinja
template, httpx's cookie protocol.
"""

from monitor.fetch import client
from monitor.store import reading, tables

reading.DevelopmentView.match_score  # read by the story page template
tables.SourceHealthEventRow.from_health  # an ORM column, set through the constructor
client._cookies  # set for httpx's cookie-jar protocol
