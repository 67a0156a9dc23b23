#!/usr/bin/env bash
# Checks, without Docker, that the Dockerfile's build stage copies everything the crate compiles
# in: copies exactly the paths of the build stage's COPY lines (less what .dockerignore leaves out
# of the context) into an empty folder, laid out as under the stage's WORKDIR, and then looks there
# for every file rustc reported reading while it compiled the tillit crate — its dep-info files
# (`target/debug/deps/tillit-*.d`): the sources, and what `include_str!`, askama and
# `embed_migrations!` read (templates, catalogues, migrations, the stylesheet, the defaults). Those
# lists are what a `docker build` would need, so a file missing from the context fails here as it
# would there, without compiling the crate a second time. Run it after a build (`bash tests/run`
# builds first).
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

# Every file of the repository that rustc read for the tillit crate (lib, unit tests, binary).
# Paths in dep-info are relative to the crate root or absolute; outputs under target/ are not
# inputs. A file named by an older build that no longer exists cannot be needed now, so only
# files present in the repository count.
target_dir=${CARGO_TARGET_DIR:-$root/target}
shopt -s nullglob
depinfo=("$target_dir"/debug/deps/tillit-*.d)
shopt -u nullglob
[ "${#depinfo[@]}" -gt 0 ] || fail "no dep-info under $target_dir/debug/deps: build first (cargo test --no-run)"
needed=$(sed -n 's/^[^#][^:]*: //p' "${depinfo[@]}" | tr ' ' '\n' | sed -e "s#^$root/##" |
  grep -v -e '^$' | xargs realpath -m --relative-to="$root" | grep -v -e '^\.\./' -e '^target/' | sort -u)
[ -n "$needed" ] || fail "the dep-info under $target_dir/debug/deps names no file"
for f in Cargo.toml Cargo.lock; do needed+=$'\n'$f; done
missing=()
count=0
while read -r file; do
  [ -f "$file" ] || continue
  count=$((count + 1))
  [ -f "$context/$file" ] || missing+=("$file")
done <<<"$needed"
if [ "${#missing[@]}" -gt 0 ]; then
  fail "the image would not build: the build stage of $dockerfile lacks ${missing[*]}"
fi
say "the build stage's $copies COPY lines hold all $count files the crate compiles in"
