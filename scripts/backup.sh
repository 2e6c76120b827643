#!/usr/bin/env bash
# Back up the service: the PostgreSQL database, then the attachments, into a new directory
# DEST/bansos-<UTC time>/ (database.dump, attachments.tar.gz, SHA256SUMS); prints its path.
#
#   DATABASE_URL=postgresql://… ATTACHMENTS_DIR=/data/attachments scripts/backup.sh DEST
#
# The database first: an attachment uploaded meanwhile is then a file without a row (never
# read, harmless), never a row without its file. The keys (NIK_HASH_KEY, DATA_ENCRYPTION_KEY)
# are not in the backup and must be kept apart from it: the backup is useless without them,
# and a thief holding both holds every NIK. scripts/restore_check.sh proves a backup restores.
set -euo pipefail

dest="${1:?usage: scripts/backup.sh DEST_DIR}"
: "${DATABASE_URL:?set DATABASE_URL to the postgresql://… URL of the database to back up}"
: "${ATTACHMENTS_DIR:?set ATTACHMENTS_DIR to the attachments directory}"
# pg_dump takes libpq URLs: drop a SQLAlchemy driver suffix (postgresql+asyncpg://).
url="$(printf '%s' "$DATABASE_URL" | sed -E 's#^postgres(ql)?\+[a-z0-9]+://#postgresql://#')"

out="$dest/bansos-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
chmod 700 "$out"
pg_dump --format=custom --no-owner --no-privileges --file "$out/database.dump" "$url"
tar -C "$ATTACHMENTS_DIR" -czf "$out/attachments.tar.gz" .
(cd "$out" && sha256sum database.dump attachments.tar.gz > SHA256SUMS)
echo "$out"
