#!/usr/bin/env bash
# Re-fetches GraphiQL's browser assets, embedded in the binary by
# internal/graphiql, from the npm packages at the pinned versions below, with
# their licences. Needs npm (it only downloads the three tarballs: no install,
# no node_modules). Each file is checked against the SHA-256 it had when it
# was pinned (the same files gqlgen's CDN page names with these hashes).
set -euo pipefail
cd "$(dirname "$0")/.."

GRAPHIQL=4.1.2 # the last GraphiQL with a UMD build; 5.x is ESM + Monaco (web workers)
REACT=18.2.0   # React 19 ships no UMD build

dest=internal/graphiql/assets
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

(cd "$tmp" && npm pack --silent "graphiql@$GRAPHIQL" "react@$REACT" "react-dom@$REACT" >/dev/null)
for pkg in "graphiql-$GRAPHIQL" "react-$REACT" "react-dom-$REACT"; do
  mkdir -p "$tmp/$pkg"
  tar -xzf "$tmp/$pkg.tgz" -C "$tmp/$pkg"
done

copy() { # source (inside the tarball), name in $dest, sha256 (base64)
  local src="$tmp/$1" name="$2" want="$3" got
  got="$(openssl dgst -sha256 -binary "$src" | base64)"
  if [ "$got" != "$want" ]; then
    echo "$1: sha256 $got, want $want" >&2
    exit 1
  fi
  cp "$src" "$dest/$name"
}
mkdir -p "$dest"
copy "graphiql-$GRAPHIQL/package/graphiql.min.js" graphiql.min.js hnImuor1znlJkD/FOTL3jayfS/xsyNoP04abi8bFJWs=
copy "graphiql-$GRAPHIQL/package/graphiql.min.css" graphiql.min.css MEh+B2NdMSpj9kexQNN3QKc8UzMrCXW/Sx/phcpuyIU=
copy "react-$REACT/package/umd/react.production.min.js" react.production.min.js S0lp+k7zWUMk2ixteM6HZvu8L9Eh//OVrt+ZfbCpmgY=
copy "react-dom-$REACT/package/umd/react-dom.production.min.js" react-dom.production.min.js IXWO0ITNDjfnNXIu5POVfqlgYoop36bDzhodR6LW5Pc=
cp "$tmp/graphiql-$GRAPHIQL/package/LICENSE" "$dest/LICENSE.graphiql"
cp "$tmp/react-$REACT/package/LICENSE" "$dest/LICENSE.react"
cp "$tmp/react-dom-$REACT/package/LICENSE" "$dest/LICENSE.react-dom"
printf 'graphiql %s\nreact %s\nreact-dom %s\n' "$GRAPHIQL" "$REACT" "$REACT" > "$dest/VERSIONS"
echo "GraphiQL $GRAPHIQL, React $REACT written to $dest"
