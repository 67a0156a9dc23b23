#!/usr/bin/env bash
# Checks, without Docker, that the Dockerfile's build stage copies everything the crate compiles
# in: copies exactly the paths of the build stage's COPY lines (less what .dockerignore leaves out
# of the context) into an empty folder, laid out as under the stage's WORKDIR, and runs
# `cargo check --locked` there. The target folder is the repository's, so only the tillit crate
# itself is checked again: the dependencies' check artifacts are those `cargo clippy` made just
# before in CI. The dev profile, not the image's release profile, because a missing file fails
# either way and a release check of every dependency would cost minutes on a clean clone. A file the crate needs (`include_str!`, a template, a
# migration) that the image would lack fails here as it would in `docker build`.
#   bash tests/dockerfile_context.sh [path/to/Dockerfile]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
dockerfile=${1:-Dockerfile}

say() { printf '== dockerfile_context: %s\n' "$*" >&2; }
fail() {
  say "$*"
  exit 1
}

# The build stage: from the first FROM to the next one, continuation lines joined.
stage=$(sed -e ':a' -e '/\\$/N; s/\\\n/ /; ta' "$dockerfile" |
  awk 'toupper($1) == "FROM" { n++; next } n == 1')
[ -n "$stage" ] || fail "$dockerfile has no build stage"

workdir=$(awk 'toupper($1) == "WORKDIR" { w = $2 } END { print w }' <<<"$stage")
workdir=${workdir:-/}

context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT

# Where a COPY destination lands inside the temporary folder.
place() {
  local dest=$1
  case "$dest" in
  /*)
    [ "$workdir" = / ] && { printf '%s\n' "${dest#/}"; return; }
    case "$dest/" in
    "$workdir"/*) dest=${dest#"$workdir"} dest=${dest#/} ;;
    *) fail "COPY to $dest lies outside WORKDIR $workdir; cargo would not see it" ;;
    esac
    ;;
  esac
  printf '%s\n' "${dest:-.}"
}

copies=0
while read -r -a words; do
  [ "${#words[@]}" -gt 0 ] || continue
  [ "${words[0]^^}" = COPY ] || continue
  args=()
  for word in "${words[@]:1}"; do
    case "$word" in
    --from=*) fail "the build stage copies from another stage or image ($word); not checked" ;;
    --*) ;; # --chown, --chmod, --link: no effect on what cargo reads
    *) args+=("$word") ;;
    esac
  done
  [ "${#args[@]}" -ge 2 ] || fail "cannot read: ${words[*]}"
  case "${args[0]}" in \[*) fail "JSON-form COPY is not read by this check: ${words[*]}" ;; esac
  dest=${args[-1]}
  sources=("${args[@]:0:${#args[@]}-1}")
  target=$(place "$dest")
  for pattern in "${sources[@]}"; do
    # shellcheck disable=SC2206 # the source may be a glob, as Docker allows
    matches=($pattern)
    [ -e "${matches[0]}" ] || fail "COPY source $pattern does not exist"
    for source in "${matches[@]}"; do
      if [ -d "$source" ]; then
        # Docker copies a directory's contents into the destination.
        mkdir -p "$context/$target"
        cp -a "$source/." "$context/$target/"
      elif [ "${#matches[@]}" -gt 1 ] || [ "${#sources[@]}" -gt 1 ] || [[ $dest == */ ]]; then
        mkdir -p "$context/$target"
        cp -a "$source" "$context/$target/"
      else
        mkdir -p "$(dirname "$context/$target")"
        cp -a "$source" "$context/$target"
      fi
    done
  done
  copies=$((copies + 1))
done <<<"$stage"
[ "$copies" -gt 0 ] || fail "the build stage of $dockerfile copies nothing"

# What .dockerignore keeps out of the build context is not in the image either.
if [ -f .dockerignore ]; then
  shopt -s globstar nullglob
  while read -r pattern; do
    case "$pattern" in '' | '#'*) continue ;; '!'*) fail ".dockerignore exceptions are not read by this check" ;; esac
    (cd "$context" && for hit in ${pattern#/}; do rm -rf -- "$hit"; done)
  done <.dockerignore
  shopt -u globstar nullglob
fi

say "cargo check --locked on the build stage's $copies COPY lines ($(cd "$context" && echo *))"
started=$SECONDS
if ! (cd "$context" && CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}" cargo check --locked --quiet); then
  fail "the image would not build: the build stage of $dockerfile misses a file the crate needs (see above)"
fi
say "the build stage's context compiles ($((SECONDS - started)) s)"
