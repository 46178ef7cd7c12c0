"""``monitor demo``: the whole product on 127.0.0.1, with no internet.

``site`` serves ``seeds/`` as a news site whose pages change step by step, ``receiver`` takes the
daemon's signed webhooks, and ``runner`` wires them to a real daemon with short intervals.
"""
