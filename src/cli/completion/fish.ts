/**
 * The fish completion script: one completion function registered for every
 * position, walking `commandline -opc` the way the bash and zsh walkers do, and
 * printing `candidate<TAB>description` lines (fish filters by the typed prefix).
 */
import { SOURCE_OPTIONS, descriptor, type CompletionTable, type OptionEntry, type ValueCompletion } from './table.js';
import { HEADER_LINES, fishQuote } from './shared.js';

const key = (path: string[]) => fishQuote(path.join(' '));
const oneLine = (s: string) => s.replace(/\s+/g, ' ');

function valueDescriptor(v: ValueCompletion): string {
  return v.type === 'choice' ? `choice ${v.values.join(' ')}` : descriptor(v);
}

export function fishScript({ globals, paths }: CompletionTable): string {
  const subs = paths
    .filter((e) => e.subcommands.length)
    .map((e) => `        case ${key(e.path)}\n            printf '%s\\t%s\\n' ${e.subcommands.map((s) => `${fishQuote(s.name)} ${fishQuote(oneLine(s.summary))}`).join(' ')}`);
  const optionWords = (list: OptionEntry[]) => list.flatMap((o) => o.names.map((n) => `${fishQuote(n)} ${fishQuote(oneLine(o.description))}`)).join(' ');
  const opts = paths.map((e) => `        case ${key(e.path)}\n            printf '%s\\t%s\\n' ${optionWords(e.options)}`);
  const optval = (o: OptionEntry, pathPattern: (name: string) => string) =>
    o.value ? [`        case ${o.names.map(pathPattern).join(' ')}\n            echo ${fishQuote(valueDescriptor(o.value))}`] : [];
  const optvals = [
    ...paths.flatMap((e) => e.options.flatMap((o) => optval(o, (n) => fishQuote(`${e.path.join(' ')}|${n}`)))),
    ...globals.flatMap((o) => optval(o, (n) => `'*'${fishQuote(`|${n}`)}`)),
  ];
  const args: string[] = [];
  for (const e of paths) {
    if (!e.positionals.length) continue;
    const lines = e.positionals.map((p, i) => {
      const test = p.variadic ? `test $argv[2] -ge ${i}` : `test $argv[2] -eq ${i}`;
      return `            if ${test}\n                echo ${fishQuote(valueDescriptor(p.value))}\n                return\n            end`;
    });
    args.push(`        case ${key(e.path)}\n${lines.join('\n')}`);
  }

  return `# fish completion for powercapctl
${HEADER_LINES.map((l) => `# ${l}`).join('\n')}
#
# Install: powercapctl completion fish > ~/.config/fish/completions/powercapctl.fish

# subcommands of a command path, as name<TAB>description
function __powercapctl_subs
    switch "$argv[1]"
${subs.join('\n')}
    end
end

# options of a command path (its own, then the global ones), as name<TAB>description
function __powercapctl_opts
    switch "$argv[1]"
${opts.join('\n')}
    end
    printf '%s\\t%s\\n' ${optionWords(globals)}
end

# what an option's value completes to (nothing for a flag that takes none)
function __powercapctl_optval
    switch "$argv[1]|$argv[2]"
${optvals.join('\n')}
    end
end

# what the Nth (from 0) positional argument of a command path completes to
function __powercapctl_arg
    switch "$argv[1]"
${args.join('\n')}
    end
end

function __powercapctl_complete
    set -l tokens (commandline -opc)
    set -l cur (commandline -ct)
    set -l cmd ''
    set -l cmdpath ''
    set -l want ''
    set -l npos 0
    set -l ddash 0
    set -l src
    set -l ctx
    for word in $tokens
        if test -z "$cmd"
            # the command itself, after any VAR=value assignments (the source variables count)
            switch $word
                case 'POWERCAPCTL_ROOT=*'
                    set -a src --root (string replace -r '^[^=]*=' '' -- $word)
                case 'POWERCAPCTL_SNAPSHOT=*'
                    set -a src --snapshot (string replace -r '^[^=]*=' '' -- $word)
                case 'POWERCAPCTL_EM_ROOT=*'
                    set -a src --em-root (string replace -r '^[^=]*=' '' -- $word)
                case 'POWERCAPCTL_HWMON_ROOT=*'
                    set -a src --hwmon-root (string replace -r '^[^=]*=' '' -- $word)
                case '*=*'
                case '*'
                    set cmd $word
            end
            continue
        end
        if test -n "$want"
            if contains -- $want ${SOURCE_OPTIONS.join(' ')}
                set -a src $want $word
            end
            set want ''
            continue
        end
        if test $ddash -eq 0; and string match -qr -- '^-.' $word
            if test "$word" = --
                set ddash 1
            else if string match -q -- '--*=*' $word
                set -l kv (string split -m1 = -- $word)
                if contains -- $kv[1] ${SOURCE_OPTIONS.join(' ')}
                    set -a src $kv[1] $kv[2]
                end
            else
                set -l v (__powercapctl_optval "$cmdpath" $word)
                if test -n "$v"
                    set want $word
                end
            end
            continue
        end
        if test $npos -eq 0; and contains -- $word (__powercapctl_subs "$cmdpath" | string replace -r '\\t.*' '')
            if test -z "$cmdpath"
                set cmdpath $word
            else
                set cmdpath "$cmdpath $word"
            end
            continue
        end
        set -a ctx $word
        set npos (math $npos + 1)
    end
    test -z "$cmd"; and return

    set -l prefix ''
    set -l desc ''
    if test -n "$want"
        set desc (__powercapctl_optval "$cmdpath" $want)
    else if test $ddash -eq 0; and string match -q -- '--*=*' $cur
        set -l kv (string split -m1 = -- $cur)
        set prefix "$kv[1]="
        set cur $kv[2]
        set desc (__powercapctl_optval "$cmdpath" $kv[1])
    else if test $ddash -eq 0; and string match -q -- '-*' $cur
        __powercapctl_opts "$cmdpath"
        return
    else
        set -l subs (__powercapctl_subs "$cmdpath")
        if test $npos -eq 0; and test (count $subs) -gt 0
            printf '%s\\n' $subs
            return
        end
        set desc (__powercapctl_arg "$cmdpath" $npos)
    end

    switch "$desc"
        case '' none
            return
        case 'choice *'
            for c in (string split ' ' -- (string replace 'choice ' '' -- $desc))
                echo "$prefix$c"
            end
        case file
            for c in (__fish_complete_path "$cur")
                echo "$prefix$c"
            end
        case dir
            for c in (__fish_complete_directories "$cur")
                echo "$prefix$c"
            end
        case '*'
            set -l run $cmd
            if not command -q $run; and not test -x $run
                set run powercapctl
            end
            for c in ($run __complete $desc $src -- $ctx 2>/dev/null)
                echo "$prefix$c"
            end
    end
end

complete -c powercapctl -e
complete -c powercapctl -f -a '(__powercapctl_complete)'
`;
}
