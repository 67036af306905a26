/**
 * The zsh completion script (`_powercapctl`): the same walker as the bash one
 * over `$words`, with descriptions for subcommands and options (_describe),
 * _files for paths and compadd for the values `powercapctl __complete` prints.
 * Works autoloaded from $fpath and sourced (`source <(powercapctl completion zsh)`).
 */
import { SOURCE_OPTIONS, descriptor, type CompletionTable, type OptionEntry, type ValueCompletion } from './table.js';
import { HEADER_LINES, shQuote } from './shared.js';

const key = (path: string[]) => shQuote(path.join(' '));
/** `name:description` for _describe: a ':' in the name must be escaped */
const described = (name: string, description: string) => shQuote(`${name.replace(/:/g, '\\:')}:${description.replace(/\s+/g, ' ')}`);

function valueDescriptor(v: ValueCompletion): string {
  return v.type === 'choice' ? `choice ${v.values.join(' ')}` : descriptor(v);
}

export function zshScript({ globals, paths }: CompletionTable): string {
  const subs = paths
    .filter((e) => e.subcommands.length)
    .map((e) => `    (${key(e.path)}) reply=(${e.subcommands.map((s) => described(s.name, s.summary)).join(' ')}) ;;`);
  const optionWords = (list: OptionEntry[]) => list.flatMap((o) => o.names.map((n) => described(n, o.description))).join(' ');
  const opts = paths.map((e) => `    (${key(e.path)}) reply=(${optionWords(e.options)}) ;;`);
  const optval = (o: OptionEntry, pathPattern: (name: string) => string) =>
    o.value ? [`    (${o.names.map(pathPattern).join('|')}) REPLY=${shQuote(valueDescriptor(o.value))} ;;`] : [];
  const optvals = [
    ...paths.flatMap((e) => e.options.flatMap((o) => optval(o, (n) => shQuote(`${e.path.join(' ')}|${n}`)))),
    ...globals.flatMap((o) => optval(o, (n) => `*${shQuote(`|${n}`)}`)),
  ];
  const args: string[] = [];
  for (const e of paths) {
    if (!e.positionals.length) continue;
    const lines = e.positionals.map((p, i) => {
      const test = p.variadic ? `(( $2 >= ${i} ))` : `(( $2 == ${i} ))`;
      return `${test} && { REPLY=${shQuote(valueDescriptor(p.value))}; return }`;
    });
    args.push(`    (${key(e.path)}) ${lines.join('; ')} ;;`);
  }

  return `#compdef powercapctl
# zsh completion for powercapctl
${HEADER_LINES.map((l) => `# ${l}`).join('\n')}
#
# Install: powercapctl completion zsh > "\${fpath[1]}/_powercapctl"   (then restart zsh)
#      or: echo 'source <(powercapctl completion zsh)' >> ~/.zshrc   (after compinit)

# subcommands of a command path, as name:description
_powercapctl_subs() {
  reply=()
  case "$1" in
${subs.join('\n')}
  esac
}

# options of a command path (its own, then the global ones), as name:description
_powercapctl_opts() {
  reply=()
  case "$1" in
${opts.join('\n')}
  esac
  reply+=(${optionWords(globals)})
}

# what an option's value completes to (empty for a flag that takes none)
_powercapctl_optval() {
  REPLY=''
  case "$1|$2" in
${optvals.join('\n')}
  esac
}

# what the Nth (from 0) positional argument of a command path completes to
_powercapctl_arg() {
  REPLY=''
  case "$1" in
${args.join('\n')}
  esac
}

_powercapctl() {
  local cmd='' cur=\${words[CURRENT]} cmdpath='' want='' word opt desc REPLY
  local -i i npos=0 ddash=0
  local -a src ctx reply cands
  for (( i = 1; i < CURRENT; i++ )); do
    word=\${words[i]}
    if [[ -z $cmd ]]; then
      [[ $word == [A-Za-z_]*=* ]] || cmd=$word
      continue
    fi
    if [[ -n $want ]]; then
      case $want in (${SOURCE_OPTIONS.join('|')}) src+=("$want" "$word") ;; esac
      want=''
      continue
    fi
    if (( ! ddash )) && [[ $word == -?* ]]; then
      if [[ $word == -- ]]; then ddash=1
      elif [[ $word == --*=* ]]; then
        case \${word%%=*} in (${SOURCE_OPTIONS.join('|')}) src+=("\${word%%=*}" "\${word#*=}") ;; esac
      else
        _powercapctl_optval "$cmdpath" "$word"
        [[ -n $REPLY ]] && want=$word
      fi
      continue
    fi
    _powercapctl_subs "$cmdpath"
    if (( npos == 0 && \${#reply} )) && (( \${reply[(I)\${(b)word}:*]} )); then
      cmdpath=\${cmdpath:+$cmdpath }$word
      continue
    fi
    ctx+=("$word")
    (( npos++ ))
  done
  [[ -z $cmd ]] && return 1
  # source variables assigned in front of the command (POWERCAPCTL_SNAPSHOT=x powercapctl …):
  # \$words starts at the command, so look back from it in the buffer
  local -a lw
  lw=(\${(z)LBUFFER})
  local -i k=\${lw[(I)\${(b)cmd}]}
  while (( k > 1 )) && [[ \${lw[k-1]} == [A-Za-z_]*=* ]]; do
    (( k-- ))
    case \${lw[k]} in
      (POWERCAPCTL_ROOT=*) src+=(--root "\${lw[k]#*=}") ;;
      (POWERCAPCTL_SNAPSHOT=*) src+=(--snapshot "\${lw[k]#*=}") ;;
      (POWERCAPCTL_EM_ROOT=*) src+=(--em-root "\${lw[k]#*=}") ;;
      (POWERCAPCTL_HWMON_ROOT=*) src+=(--hwmon-root "\${lw[k]#*=}") ;;
    esac
  done

  if [[ -n $want ]]; then
    _powercapctl_optval "$cmdpath" "$want"; desc=$REPLY
  elif (( ! ddash )) && [[ $cur == --*=* ]]; then
    opt=\${cur%%=*}
    compset -P '*='
    _powercapctl_optval "$cmdpath" "$opt"; desc=$REPLY
  elif (( ! ddash )) && [[ $cur == -* ]]; then
    _powercapctl_opts "$cmdpath"
    _describe -t options 'option' reply
    return
  else
    _powercapctl_subs "$cmdpath"
    if (( npos == 0 && \${#reply} )); then
      _describe -t commands 'command' reply
      return
    fi
    _powercapctl_arg "$cmdpath" "$npos"; desc=$REPLY
  fi

  case $desc in
    ('' | none) _message 'value' ;;
    ('choice '*) compadd -- \${=desc#choice } ;;
    (file) _files ;;
    (dir) _files -/ ;;
    (*)
      local run=\${cmd/#\\~/$HOME}
      (( $+commands[$run] )) || [[ -x $run ]] || run=powercapctl
      cands=(\${(f)"$("$run" __complete "$desc" "\${src[@]}" -- "\${ctx[@]}" 2>/dev/null)"})
      compadd -a cands
      ;;
  esac
}

if [[ \${zsh_eval_context[-1]} == loadautofunc ]]; then
  _powercapctl "$@"
else
  compdef _powercapctl powercapctl
fi
`;
}
