"""Database sessions whose idle timeout costs one write per minute, not one per request.

With ``SESSION_SAVE_EVERY_REQUEST`` Django saves the session on every request so that its expiry
moves forward (the 8-hour idle timeout), three queries each time (savepoint, update, release).
This store skips that save when nothing in the session changed and the stored expiry is less than
``RENEW_AFTER`` old: the idle timeout is then exact to within a minute, and a page view reads the
session without writing it. Any change to the session (login, messages, a new expiry) is saved
at once, as before. ``SESSION_ENGINE = "babel_pug.sessions"``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.sessions.backends.db import SessionStore as DbSessionStore

RENEW_AFTER = timedelta(seconds=60)


class SessionStore(DbSessionStore):
    _stored_expiry: datetime | None = None

    def _get_session_from_db(self):
        session = super()._get_session_from_db()
        self._stored_expiry = session.expire_date if session else None
        return session

    async def _aget_session_from_db(self):
        session = await super()._aget_session_from_db()
        self._stored_expiry = session.expire_date if session else None
        return session

    def _renewal_needed(self, must_create: bool) -> bool:
        if must_create or self.modified or self._stored_expiry is None:
            return True
        return self.get_expiry_date() - self._stored_expiry >= RENEW_AFTER

    def save(self, must_create: bool = False) -> None:
        if self.session_key is not None and not must_create:
            self._get_session()  # loads the row (and its stored expiry) if not loaded yet
            if not self._renewal_needed(must_create):
                return
        super().save(must_create=must_create)

    async def asave(self, must_create: bool = False) -> None:
        if self.session_key is not None and not must_create:
            await self._aget_session()
            if not self._renewal_needed(must_create):
                return
        await super().asave(must_create=must_create)
