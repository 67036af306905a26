# bash completion for powercapctl
# Generated from the command specs by `npm run gen` (scripts/gen-docs.ts); do not edit.
# Also printed by `powercapctl completion <shell>`. Dynamic values (zone ids and names,
# constraint names, DTPM nodes, devices, energy-model domains) come from the tree the
# line points at (--root, --snapshot, or POWERCAPCTL_ROOT/POWERCAPCTL_SNAPSHOT), through
# `powercapctl __complete KIND …`.
#
# Install: powercapctl completion bash > ~/.local/share/bash-completion/completions/powercapctl
#      or: echo 'source <(powercapctl completion bash)' >> ~/.bashrc

# subcommands of a command path
_powercapctl_subs() {
  case "$1" in
    '') echo 'list tree set-limit apply balance govern watch exporter model sim registry create-node delete-node dtpm snapshot profile persist grant-read doctor wizard completion help' ;;
    model) echo 'em power energy cap budget idle' ;;
    registry) echo 'list add remove' ;;
    dtpm) echo 'new export import check' ;;
    snapshot) echo 'save check' ;;
    profile) echo save ;;
    persist) echo 'install status remove' ;;
  esac
}

# options of a command path (its own, then the global ones)
_powercapctl_opts() {
  case "$1" in
    '') echo '-h --help --version' ;;
    list) echo '-t --type --format -h --help' ;;
    tree) echo '-t --type -h --help' ;;
    set-limit) echo '-c --constraint -w --time-window --enable --disable -n --dry-run -y --yes -f --force --only -h --help' ;;
    apply) echo '--check -f --force --only --power-source --watch --state -h --help' ;;
    balance) echo '-b --budget --budget-file --fallback-budget --under -i --interval -w --weight --min -c --constraint -n --dry-run -d --duration --keep --report --profile -h --help' ;;
    govern) echo '--thermal-zone --target --thermal-root --sustainable-power --switch-on --ambient --k-po --k-pu --k-i --k-d --integral-cutoff --under -i --interval -w --weight --min -c --constraint -n --dry-run -d --duration --keep --report --profile -h --help' ;;
    watch) echo '-i --interval -n --count -d --duration --format --textfile --record --speed -t --type -h --help' ;;
    exporter) echo '-l --listen -i --interval --limits-interval -t --type --max-connections --client-timeout -h --help' ;;
    model) echo '-h --help' ;;
    'model em') echo '-d --domain --dts --table -I --include --supported-hw --opp-name --opp-file -C --coefficient --capacity --device --cpus --kernel --dt --plot --svg -h --help' ;;
    'model power') echo '-d --domain --dts --table -I --include --supported-hw --opp-name --opp-file -C --coefficient --cpus -f --freq -V --voltage -u --util --static --static-table -t --temp -h --help' ;;
    'model energy') echo '-d --domain --dts --table -I --include --supported-hw --opp-name --opp-file -C --coefficient --capacity --cpus -u --util --all-states -h --help' ;;
    'model cap') echo '-z --zone -l --limit -d --domain --dts --table -I --include --supported-hw --opp-name --opp-file -C --coefficient --capacity --device --cpus -h --help' ;;
    'model budget') echo '-b --budget -a --actor -z --zone --tree -r --request -w --weight --all -h --help' ;;
    'model idle') echo '-s --state --preset -i --idle --latency --on-power --off-power -h --help' ;;
    sim) echo '-p --policy --svg --serve -h --help' ;;
    registry) echo '-h --help' ;;
    'registry list') echo '-h --help' ;;
    'registry add') echo '--kind --em --em-table --coefficient --capacity --cpus --online-cpus --power-min --power-max --dt-path -h --help' ;;
    'registry remove') echo '-h --help' ;;
    create-node) echo '-p --parents --device --virtual --configfs -n --dry-run -h --help' ;;
    delete-node) echo '-r --recursive --configfs -n --dry-run -h --help' ;;
    dtpm) echo '-h --help' ;;
    'dtpm new') echo '--hostname --kernel-release --machine -d --description -f --force -h --help' ;;
    'dtpm export') echo '--format --table-name -o --output --configfs -h --help' ;;
    'dtpm import') echo '--replace --configfs -n --dry-run -h --help' ;;
    'dtpm check') echo '--configfs -h --help' ;;
    snapshot) echo '-h --help' ;;
    'snapshot save') echo '-f --force -d --description -h --help' ;;
    'snapshot check') echo '-h --help' ;;
    profile) echo '-h --help' ;;
    'profile save') echo '-f --force -d --description --when --merge -h --help' ;;
    persist) echo '-h --help' ;;
    'persist install') echo '--root-dir --watch --exec -h --help' ;;
    'persist status') echo '--root-dir -h --help' ;;
    'persist remove') echo '--root-dir --purge -h --help' ;;
    grant-read) echo '--root-dir --tmpfiles -h --help' ;;
    doctor) echo '--interval --proc --root-dir --kernel-log -h --help' ;;
    wizard) echo '-h --help' ;;
    completion) echo '-h --help' ;;
    help) echo '-h --help' ;;
  esac
  echo '--root --snapshot --em-root --hwmon-root --power-supply-root --json --no-color -q --quiet -v --verbose'
}

# what an option's value completes to (nothing for a flag that takes none)
_powercapctl_optval() {
  case "$1|$2" in
    'list|-t'|'list|--type') echo none ;;
    'list|--format') echo 'choice table json tsv csv' ;;
    'tree|-t'|'tree|--type') echo none ;;
    'set-limit|-c'|'set-limit|--constraint') echo constraint ;;
    'set-limit|-w'|'set-limit|--time-window') echo none ;;
    'set-limit|--only') echo none ;;
    'apply|--only') echo none ;;
    'apply|--power-source') echo 'choice ac battery' ;;
    'apply|--watch') echo none ;;
    'apply|--state') echo file ;;
    'balance|-b'|'balance|--budget') echo none ;;
    'balance|--budget-file') echo file ;;
    'balance|--fallback-budget') echo none ;;
    'balance|--under') echo zone ;;
    'balance|-i'|'balance|--interval') echo none ;;
    'balance|-w'|'balance|--weight') echo none ;;
    'balance|--min') echo none ;;
    'balance|-c'|'balance|--constraint') echo constraint ;;
    'balance|-d'|'balance|--duration') echo none ;;
    'balance|--report') echo file ;;
    'balance|--profile') echo file ;;
    'govern|--thermal-zone') echo none ;;
    'govern|--target') echo none ;;
    'govern|--thermal-root') echo dir ;;
    'govern|--sustainable-power') echo none ;;
    'govern|--switch-on') echo none ;;
    'govern|--ambient') echo none ;;
    'govern|--k-po') echo none ;;
    'govern|--k-pu') echo none ;;
    'govern|--k-i') echo none ;;
    'govern|--k-d') echo none ;;
    'govern|--integral-cutoff') echo none ;;
    'govern|--under') echo zone ;;
    'govern|-i'|'govern|--interval') echo none ;;
    'govern|-w'|'govern|--weight') echo none ;;
    'govern|--min') echo none ;;
    'govern|-c'|'govern|--constraint') echo constraint ;;
    'govern|-d'|'govern|--duration') echo none ;;
    'govern|--report') echo file ;;
    'govern|--profile') echo file ;;
    'watch|-i'|'watch|--interval') echo none ;;
    'watch|-n'|'watch|--count') echo none ;;
    'watch|-d'|'watch|--duration') echo none ;;
    'watch|--format') echo 'choice table ndjson csv prometheus' ;;
    'watch|--textfile') echo file ;;
    'watch|--record') echo file ;;
    'watch|--speed') echo none ;;
    'watch|-t'|'watch|--type') echo none ;;
    'exporter|-l'|'exporter|--listen') echo none ;;
    'exporter|-i'|'exporter|--interval') echo none ;;
    'exporter|--limits-interval') echo none ;;
    'exporter|-t'|'exporter|--type') echo none ;;
    'exporter|--max-connections') echo none ;;
    'exporter|--client-timeout') echo none ;;
    'model em|-d'|'model em|--domain') echo domain ;;
    'model em|--dts') echo file ;;
    'model em|--table') echo none ;;
    'model em|-I'|'model em|--include') echo dir ;;
    'model em|--supported-hw') echo none ;;
    'model em|--opp-name') echo none ;;
    'model em|--opp-file') echo file ;;
    'model em|-C'|'model em|--coefficient') echo none ;;
    'model em|--capacity') echo none ;;
    'model em|--cpus') echo none ;;
    'model em|--kernel') echo none ;;
    'model em|--dt') echo file ;;
    'model em|--svg') echo file ;;
    'model power|-d'|'model power|--domain') echo domain ;;
    'model power|--dts') echo file ;;
    'model power|--table') echo none ;;
    'model power|-I'|'model power|--include') echo dir ;;
    'model power|--supported-hw') echo none ;;
    'model power|--opp-name') echo none ;;
    'model power|--opp-file') echo file ;;
    'model power|-C'|'model power|--coefficient') echo none ;;
    'model power|--cpus') echo none ;;
    'model power|-f'|'model power|--freq') echo none ;;
    'model power|-V'|'model power|--voltage') echo none ;;
    'model power|-u'|'model power|--util') echo none ;;
    'model power|--static') echo none ;;
    'model power|--static-table') echo file ;;
    'model power|-t'|'model power|--temp') echo none ;;
    'model energy|-d'|'model energy|--domain') echo domain ;;
    'model energy|--dts') echo file ;;
    'model energy|--table') echo none ;;
    'model energy|-I'|'model energy|--include') echo dir ;;
    'model energy|--supported-hw') echo none ;;
    'model energy|--opp-name') echo none ;;
    'model energy|--opp-file') echo file ;;
    'model energy|-C'|'model energy|--coefficient') echo none ;;
    'model energy|--capacity') echo none ;;
    'model energy|--cpus') echo none ;;
    'model energy|-u'|'model energy|--util') echo none ;;
    'model cap|-z'|'model cap|--zone') echo dtpm-node ;;
    'model cap|-l'|'model cap|--limit') echo none ;;
    'model cap|-d'|'model cap|--domain') echo domain ;;
    'model cap|--dts') echo file ;;
    'model cap|--table') echo none ;;
    'model cap|-I'|'model cap|--include') echo dir ;;
    'model cap|--supported-hw') echo none ;;
    'model cap|--opp-name') echo none ;;
    'model cap|--opp-file') echo file ;;
    'model cap|-C'|'model cap|--coefficient') echo none ;;
    'model cap|--capacity') echo none ;;
    'model cap|--cpus') echo none ;;
    'model budget|-b'|'model budget|--budget') echo none ;;
    'model budget|-a'|'model budget|--actor') echo none ;;
    'model budget|-z'|'model budget|--zone') echo dtpm-node ;;
    'model budget|--tree') echo file ;;
    'model budget|-r'|'model budget|--request') echo none ;;
    'model budget|-w'|'model budget|--weight') echo none ;;
    'model idle|-s'|'model idle|--state') echo none ;;
    'model idle|--preset') echo 'choice rk3399' ;;
    'model idle|-i'|'model idle|--idle') echo none ;;
    'model idle|--latency') echo none ;;
    'model idle|--on-power') echo none ;;
    'model idle|--off-power') echo none ;;
    'sim|-p'|'sim|--policy') echo none ;;
    'sim|--svg') echo file ;;
    'sim|--serve') echo dir ;;
    'registry add|--kind') echo 'choice cpu devfreq other' ;;
    'registry add|--em') echo domain ;;
    'registry add|--em-table') echo file ;;
    'registry add|--coefficient') echo none ;;
    'registry add|--capacity') echo none ;;
    'registry add|--cpus') echo none ;;
    'registry add|--online-cpus') echo none ;;
    'registry add|--power-min') echo none ;;
    'registry add|--power-max') echo none ;;
    'registry add|--dt-path') echo none ;;
    'create-node|--configfs') echo dir ;;
    'delete-node|--configfs') echo dir ;;
    'dtpm new|--hostname') echo none ;;
    'dtpm new|--kernel-release') echo none ;;
    'dtpm new|--machine') echo none ;;
    'dtpm new|-d'|'dtpm new|--description') echo none ;;
    'dtpm export|--format') echo 'choice json kernel-table' ;;
    'dtpm export|--table-name') echo none ;;
    'dtpm export|-o'|'dtpm export|--output') echo file ;;
    'dtpm export|--configfs') echo dir ;;
    'dtpm import|--configfs') echo dir ;;
    'dtpm check|--configfs') echo dir ;;
    'snapshot save|-d'|'snapshot save|--description') echo none ;;
    'profile save|-d'|'profile save|--description') echo none ;;
    'profile save|--when') echo 'choice ac battery' ;;
    'persist install|--root-dir') echo dir ;;
    'persist install|--watch') echo none ;;
    'persist install|--exec') echo file ;;
    'persist status|--root-dir') echo dir ;;
    'persist remove|--root-dir') echo dir ;;
    'grant-read|--root-dir') echo dir ;;
    'doctor|--interval') echo none ;;
    'doctor|--proc') echo dir ;;
    'doctor|--root-dir') echo dir ;;
    'doctor|--kernel-log') echo file ;;
    *'|--root') echo dir ;;
    *'|--snapshot') echo file ;;
    *'|--em-root') echo dir ;;
    *'|--hwmon-root') echo dir ;;
    *'|--power-supply-root') echo dir ;;
  esac
}

# what the Nth (from 0) positional argument of a command path completes to
_powercapctl_arg() {
  case "$1" in
    list) (( $2 >= 0 )) && { echo zone; return; } ;;
    tree) (( $2 == 0 )) && { echo zone; return; } ;;
    set-limit) (( $2 == 0 )) && { echo zone; return; }; (( $2 >= 1 )) && { echo none; return; } ;;
    apply) (( $2 == 0 )) && { echo file; return; } ;;
    balance) (( $2 >= 0 )) && { echo zone; return; } ;;
    govern) (( $2 >= 0 )) && { echo zone; return; } ;;
    watch) (( $2 >= 0 )) && { echo zone; return; } ;;
    exporter) (( $2 >= 0 )) && { echo zone; return; } ;;
    sim) (( $2 == 0 )) && { echo file; return; } ;;
    'registry add') (( $2 == 0 )) && { echo device; return; } ;;
    'registry remove') (( $2 == 0 )) && { echo device; return; } ;;
    create-node) (( $2 == 0 )) && { echo dtpm-node; return; } ;;
    delete-node) (( $2 == 0 )) && { echo dtpm-node; return; } ;;
    'dtpm new') (( $2 == 0 )) && { echo file; return; } ;;
    'dtpm import') (( $2 == 0 )) && { echo file; return; } ;;
    'dtpm check') (( $2 == 0 )) && { echo file; return; } ;;
    'snapshot save') (( $2 == 0 )) && { echo file; return; } ;;
    'snapshot check') (( $2 == 0 )) && { echo file; return; } ;;
    'profile save') (( $2 == 0 )) && { echo file; return; } ;;
    'persist install') (( $2 == 0 )) && { echo file; return; } ;;
    grant-read) (( $2 == 0 )) && { echo none; return; } ;;
    wizard) (( $2 == 0 )) && { echo 'choice limit dtpm'; return; } ;;
    completion) (( $2 == 0 )) && { echo 'choice bash zsh fish'; return; } ;;
    help) (( $2 == 0 )) && { echo 'choice list tree set-limit apply balance govern watch exporter model sim registry create-node delete-node dtpm snapshot profile persist grant-read doctor wizard completion'; return; } ;;
  esac
}

_powercapctl() {
  local line=${COMP_LINE:0:COMP_POINT}
  [[ -z $line ]] && line="${COMP_WORDS[*]:0:COMP_CWORD+1}"
  local -a words
  read -r -a words <<< "$line"
  [[ -z $line || $line == *[[:space:]] ]] && words+=("")
  local cur=${words[${#words[@]}-1]}
  local cmd='' cmdpath='' want='' word opt desc subs i npos=0 ddash=0
  local -a src=() ctx=()
  COMPREPLY=()
  for ((i = 0; i < ${#words[@]} - 1; i++)); do
    word=${words[i]}
    if [[ -z $cmd ]]; then
      # the command itself (bash drops VAR=value words in front of it from COMP_LINE and
      # COMP_WORDS, so only exported POWERCAPCTL_* variables reach the callback)
      [[ $word == [A-Za-z_]*=* ]] || cmd=$word
      continue
    fi
    if [[ -n $want ]]; then
      case $want in --root|--snapshot|--em-root|--hwmon-root) src+=("$want" "$word") ;; esac
      want=''
      continue
    fi
    if (( ! ddash )) && [[ $word == -?* ]]; then
      if [[ $word == -- ]]; then ddash=1
      elif [[ $word == --*=* ]]; then
        case ${word%%=*} in --root|--snapshot|--em-root|--hwmon-root) src+=("${word%%=*}" "${word#*=}") ;; esac
      elif [[ -n $(_powercapctl_optval "$cmdpath" "$word") ]]; then want=$word
      fi
      continue
    fi
    subs=$(_powercapctl_subs "$cmdpath")
    if (( npos == 0 )) && [[ -n $subs && " $subs " == *" $word "* ]]; then
      cmdpath=${cmdpath:+$cmdpath }$word
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
    opt=${cur%%=*}
    prefix=$opt=
    cur=${cur#*=}
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
    'choice '*) COMPREPLY=($(compgen -W "${desc#choice }" -- "$cur")) ;;
    file) compopt -o filenames 2>/dev/null; local IFS=$'\n'; COMPREPLY=($(compgen -f -- "$cur")) ;;
    dir) compopt -o filenames 2>/dev/null; local IFS=$'\n'; COMPREPLY=($(compgen -d -- "$cur")) ;;
    *)
      local run=$cmd
      [[ $run == '~/'* ]] && run=$HOME/${run#'~/'}
      type -P "$run" >/dev/null 2>&1 || run=powercapctl
      # candidates are data (a zone name from a snapshot can be anything): never through
      # compgen -W, which expands $(…) and backquotes; matched as strings, inserted quoted
      local c q
      local -a cands=()
      mapfile -t cands < <("$run" __complete "$desc" "${src[@]}" -- "${ctx[@]}" 2>/dev/null)
      for c in "${cands[@]}"; do
        [[ -n $c && $c == "$cur"* ]] || continue
        if [[ $c == *[!A-Za-z0-9_.:@%+,=/-]* ]]; then printf -v q '%q' "$c"; COMPREPLY+=("$q"); else COMPREPLY+=("$c"); fi
      done
      ;;
  esac
  # bash replaces only the text after the last ':' or '=' of the word (COMP_WORDBREAKS)
  local typed=$prefix$cur trim='' breaks=''
  [[ $COMP_WORDBREAKS == *:* ]] && breaks+=':'
  [[ $COMP_WORDBREAKS == *=* ]] && breaks+='='
  [[ -n $breaks && $typed == *["$breaks"]* ]] && trim=${typed%"${typed##*["$breaks"]}"}
  if [[ -n $prefix || -n $trim ]]; then
    for i in "${!COMPREPLY[@]}"; do
      COMPREPLY[i]=$prefix${COMPREPLY[i]}
      COMPREPLY[i]=${COMPREPLY[i]#"$trim"}
    done
  fi
  return 0
}

complete -F _powercapctl powercapctl
