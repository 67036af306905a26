/**
 * The bash completion script. Static structure (subcommands, options, which
 * option takes what value, the positional arguments) is written into four
 * lookup functions generated from the table; one walker reads the line up to
 * the cursor, finds the command path, the source options and the positional
 * words, and completes from the lookups or, for dynamic values, from
 * `powercapctl __complete`. The line is split from COMP_LINE rather than
 * COMP_WORDS so zone ids (`intel-rapl:0:1`) are not cut at COMP_WORDBREAKS' ':'.
 * Dynamic candidates are data, never code: they are not passed through `compgen -W`
 * (which expands `$(…)` in its word list) and are inserted shell-quoted (printf %q).
 */
import { descriptor, SOURCE_OPTIONS, type CompletionTable, type OptionEntry, type ValueCompletion } from './table.js';
import { HEADER_LINES, shQuote } from './shared.js';

const key = (path: string[]) => shQuote(path.join(' '));

function valueDescriptor(v: ValueCompletion): string {
  return v.type === 'choice' ? `choice ${v.values.join(' ')}` : descriptor(v);
}

export function bashScript({ globals, paths }: CompletionTable): string {
  const subs = paths
    .filter((e) => e.subcommands.length)
    .map((e) => `    ${key(e.path)}) echo ${shQuote(e.subcommands.map((s) => s.name).join(' '))} ;;`);
  const opts = paths.map((e) => `    ${key(e.path)}) echo ${shQuote(e.options.flatMap((o) => o.names).join(' '))} ;;`);
  // option → value descriptor: a command's own options first, then the global ones at any path
  const optval = (o: OptionEntry, pathPattern: (name: string) => string) =>
    o.value ? [`    ${o.names.map(pathPattern).join('|')}) echo ${shQuote(valueDescriptor(o.value))} ;;`] : [];
  const optvals = [
    ...paths.flatMap((e) => e.options.flatMap((o) => optval(o, (n) => shQuote(`${e.path.join(' ')}|${n}`)))),
    ...globals.flatMap((o) => optval(o, (n) => `*${shQuote(`|${n}`)}`)),
  ];
  const args: string[] = [];
  for (const e of paths) {
    if (!e.positionals.length) continue;
    const lines = e.positionals.map((p, i) => {
      const test = p.variadic ? `(( $2 >= ${i} ))` : `(( $2 == ${i} ))`;
      return `${test} && { echo ${shQuote(valueDescriptor(p.value))}; return; }`;
    });
    args.push(`    ${key(e.path)}) ${lines.join('; ')} ;;`);
  }

  return `# bash completion for powercapctl
${HEADER_LINES.map((l) => `# ${l}`).join('\n')}
#
# Install: powercapctl completion bash > ~/.local/share/bash-completion/completions/powercapctl
#      or: echo 'source <(powercapctl completion bash)' >> ~/.bashrc

# subcommands of a command path
_powercapctl_subs() {
  case "$1" in
${subs.join('\n')}
  esac
}

# options of a command path (its own, then the global ones)
_powercapctl_opts() {
  case "$1" in
${opts.join('\n')}
  esac
  echo ${shQuote(globals.flatMap((o) => o.names).join(' '))}
}

# what an option's value completes to (nothing for a flag that takes none)
_powercapctl_optval() {
  case "$1|$2" in
${optvals.join('\n')}
  esac
}

# what the Nth (from 0) positional argument of a command path completes to
_powercapctl_arg() {
  case "$1" in
${args.join('\n')}
  esac
}

_powercapctl() {
  local line=\${COMP_LINE:0:COMP_POINT}
  [[ -z $line ]] && line="\${COMP_WORDS[*]:0:COMP_CWORD+1}"
  local -a words
  read -r -a words <<< "$line"
  [[ -z $line || $line == *[[:space:]] ]] && words+=("")
  local cur=\${words[\${#words[@]}-1]}
  local cmd='' cmdpath='' want='' word opt desc subs i npos=0 ddash=0
  local -a src=() ctx=()
  COMPREPLY=()
  for ((i = 0; i < \${#words[@]} - 1; i++)); do
    word=\${words[i]}
    if [[ -z $cmd ]]; then
      # the command itself (bash drops VAR=value words in front of it from COMP_LINE and
      # COMP_WORDS, so only exported POWERCAPCTL_* variables reach the callback)
      [[ $word == [A-Za-z_]*=* ]] || cmd=$word
      continue
    fi
    if [[ -n $want ]]; then
      case $want in ${SOURCE_OPTIONS.join('|')}) src+=("$want" "$word") ;; esac
      want=''
      continue
    fi
    if (( ! ddash )) && [[ $word == -?* ]]; then
      if [[ $word == -- ]]; then ddash=1
      elif [[ $word == --*=* ]]; then
        case \${word%%=*} in ${SOURCE_OPTIONS.join('|')}) src+=("\${word%%=*}" "\${word#*=}") ;; esac
      elif [[ -n $(_powercapctl_optval "$cmdpath" "$word") ]]; then want=$word
      fi
      continue
    fi
    subs=$(_powercapctl_subs "$cmdpath")
    if (( npos == 0 )) && [[ -n $subs && " $subs " == *" $word "* ]]; then
      cmdpath=\${cmdpath:+$cmdpath }$word
      continue
    fi
    ctx+=("$word")
    ((npos++))
  done
  [[ -z $cmd ]] && return 0

  local prefix=''
  if [[ -n $want ]]; then
    desc=$(_powercapctl_optval "$cmdpath" "$want")
  elif (( ! ddash )) && [[ $cur == --*=* ]]; then
    opt=\${cur%%=*}
    prefix=$opt=
    cur=\${cur#*=}
    desc=$(_powercapctl_optval "$cmdpath" "$opt")
  elif (( ! ddash )) && [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$(_powercapctl_opts "$cmdpath")" -- "$cur"))
    return 0
  else
    subs=$(_powercapctl_subs "$cmdpath")
    if (( npos == 0 )) && [[ -n $subs ]]; then
      COMPREPLY=($(compgen -W "$subs" -- "$cur"))
      return 0
    fi
    desc=$(_powercapctl_arg "$cmdpath" "$npos")
  fi

  case $desc in
    '' | none) return 0 ;;
    'choice '*) COMPREPLY=($(compgen -W "\${desc#choice }" -- "$cur")) ;;
    file) compopt -o filenames 2>/dev/null; local IFS=$'\\n'; COMPREPLY=($(compgen -f -- "$cur")) ;;
    dir) compopt -o filenames 2>/dev/null; local IFS=$'\\n'; COMPREPLY=($(compgen -d -- "$cur")) ;;
    *)
      local run=$cmd
      [[ $run == '~/'* ]] && run=$HOME/\${run#'~/'}
      type -P "$run" >/dev/null 2>&1 || run=powercapctl
      # candidates are data (a zone name from a snapshot can be anything): never through
      # compgen -W, which expands $(…) and backquotes; matched as strings, inserted quoted
      local c q
      local -a cands=()
      mapfile -t cands < <("$run" __complete "$desc" "\${src[@]}" -- "\${ctx[@]}" 2>/dev/null)
      for c in "\${cands[@]}"; do
        [[ -n $c && $c == "$cur"* ]] || continue
        if [[ $c == *[!A-Za-z0-9_.:@%+,=/-]* ]]; then printf -v q '%q' "$c"; COMPREPLY+=("$q"); else COMPREPLY+=("$c"); fi
      done
      ;;
  esac
  # bash replaces only the text after the last ':' or '=' of the word (COMP_WORDBREAKS)
  local typed=$prefix$cur trim='' breaks=''
  [[ $COMP_WORDBREAKS == *:* ]] && breaks+=':'
  [[ $COMP_WORDBREAKS == *=* ]] && breaks+='='
  [[ -n $breaks && $typed == *["$breaks"]* ]] && trim=\${typed%"\${typed##*["$breaks"]}"}
  if [[ -n $prefix || -n $trim ]]; then
    for i in "\${!COMPREPLY[@]}"; do
      COMPREPLY[i]=$prefix\${COMPREPLY[i]}
      COMPREPLY[i]=\${COMPREPLY[i]#"$trim"}
    done
  fi
  return 0
}

complete -F _powercapctl powercapctl
`;
}
