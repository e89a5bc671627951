# make_db MB (sourced by sqlite.sh and speed.sh): needs WORK and RECIPE set.
# make_db MB: a WAL-mode database of about MB MiB at $WORK/db-${MB}mb-$RECIPE.sqlite.
# Each photo row is ~3.7 KB (one 4 KiB page): 2000 random bytes + 1600 bytes of
# repetitive text, so the file compresses to about half its size.
make_db() {
  local mb=$1
  local db="$WORK/db-${mb}mb-$RECIPE.sqlite"
  if [[ -f $db ]]; then
    echo "bench: using cached $db ($(stat -c %s "$db") bytes)" >&2
    return
  fi
  local rows=$((mb * 1024 * 1024 / 4096 * 97 / 100))
  local tmp="$db.tmp"
  rm -f "$tmp" "$tmp-wal" "$tmp-shm" "$tmp-journal"
  echo "bench: generating $db ($rows photo rows)..." >&2
  sqlite3 "$tmp" >/dev/null <<SQL
pragma page_size = 4096;
pragma journal_mode = off;
pragma synchronous = off;
begin;
create table users(id integer primary key, name text not null, email text not null unique);
with recursive n(i) as (select 1 union all select i + 1 from n where i < 1000)
insert into users select i, printf('user %d', i), printf('user%d@example.org', i) from n;
create table photos(
  id integer primary key,
  owner integer not null references users(id),
  path text not null,
  taken_at integer not null,
  thumb blob not null,   -- random bytes: incompressible
  exif blob not null     -- repetitive text: compresses well
);
with recursive n(i) as (select 1 union all select i + 1 from n where i < $rows)
insert into photos
select i, 1 + i % 1000,
  printf('/library/%04d/%02d/IMG_%07d.jpg', 2000 + i % 25, 1 + i % 12, i),
  1500000000 + i * 37,
  randomblob(2000),
  cast(substr(replace(hex(zeroblob(64)), '00',
    printf('{"camera":"Model %d","iso":%d,"lens":"%dmm f/%d","user":%d,"album":"trip-%d","ok":true} ',
      i % 17, 100 * (1 + i % 32), 24 + i % 50, 2 + i % 6, i % 1000, i % 365)), 1, 1600) as blob)
from n;
create index photos_taken_at on photos(taken_at);
create index photos_owner_path on photos(owner, path);
commit;
pragma user_version = 42;
pragma journal_mode = wal;
SQL
  mv "$tmp" "$db"
  echo "bench: $db: $(stat -c %s "$db") bytes" >&2
}

