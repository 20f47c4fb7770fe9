#!/usr/bin/env bash
# Records the real desktop-capture corpus: real X programs under Xvfb at
# 1920x1080x24, captured losslessly with ffmpeg x11grab (ffv1, bgr0) at 15 fps,
# then imported into corpus/<name>.fbt damage traces.
#
#   sudo bash corpus/record.sh                      # all scenarios
#   bash corpus/record.sh browser-scroll gl-anim    # only some
#   IMPORT=0 RAW_DIR=/tmp/raw bash corpus/record.sh # capture only
#
# Environment:
#   RAW_DIR       scratch for the .mkv captures and logs (default /work/corpus-raw)
#   OUT_DIR       where the .fbt traces and annotation files go (default: this folder)
#   IMPORT        1 (default) runs the trace importer after each capture, 0 skips it
#   DUR           capture length in seconds for every scenario (default: 12 s =
#                 180 frames, 10 s = 150 frames for browser-scroll and video-window,
#                 whose frames are the most expensive)
#   DISPLAY_BASE  first X display number used (default 101; one per scenario)
#   SKIP_APT      1 skips the package check/installation
#   CAP_TMP       where the uncompressed grab is written first (default /dev/shm
#                 when it has 4 GB free, else RAW_DIR; ~1.5 GB per scenario)
# Scenarios: terminal-scroll browser-scroll photo-viewer video-window window-drag gl-anim
# See corpus/README.md for what each one shows and its window geometry.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=${REPO:-$(cd "$HERE/.." && pwd)}
RAW_DIR=${RAW_DIR:-/work/corpus-raw}
OUT_DIR=${OUT_DIR:-$HERE}
IMPORT=${IMPORT:-1}
DUR_ALL=${DUR:-}
declare -A SCEN_DUR=([terminal-scroll]=12 [browser-scroll]=10 [photo-viewer]=12
                     [video-window]=10 [window-drag]=12 [gl-anim]=12)
DUR=12
DISPLAY_BASE=${DISPLAY_BASE:-101}
SKIP_APT=${SKIP_APT:-0}
if [[ -z ${CAP_TMP:-} ]]; then
    CAP_TMP=$RAW_DIR
    if [[ -w /dev/shm ]] && (($(df -Pk /dev/shm | awk 'NR==2{print $4}') > 4000000)); then CAP_TMP=/dev/shm; fi
fi
# Scheduling: on 2 cores a busy program (chromium, glxgears) can starve the X
# server and the grabber, and the capture then drops frames. As root, Xvfb and
# the grabber run at a higher priority and the filmed programs at a lower one.
PRIO_X=() PRIO_CAP=() PRIO_LOW=(nice -n 10)
if ((EUID == 0)); then
    PRIO_X=(nice -n -10) PRIO_CAP=(nice -n -15)
    # the grabber mostly sleeps: real-time FIFO keeps its grabs on time
    chrt -f 10 true 2>/dev/null && PRIO_CAP=(chrt -f 10)
fi
FPS=15
SW=1920
SH=1080
PY=/usr/bin/python3          # Debian's python3 (python3-numpy), not a pyenv shim
ALL=(terminal-scroll browser-scroll photo-viewer video-window window-drag gl-anim)

PACKAGES=(xvfb xauth xfonts-base x11-utils x11-xserver-utils xdotool xterm feh ffmpeg
          mesa-utils libgl1-mesa-dri chromium fonts-dejavu-core fonts-liberation
          python3 python3-numpy procps file util-linux)

log() { printf '[record %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

install_packages() {
    [[ $SKIP_APT == 1 ]] && return 0
    local p missing=()
    for p in "${PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    if ((${#missing[@]})); then
        log "installing: ${missing[*]}"
        apt-get update
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
    fi
}

# Real photographs: the sample images that ship in Debian's python3-skimage
# (skimage/data/*.png|jpg). The .deb is downloaded and unpacked, not installed.
PHOTOS=(astronaut.png coffee.png chelsea.png rocket.jpg motorcycle_left.png hubble_deep_field.jpg ihc.png)
PHOTO_DIR=""
fetch_photos() {
    PHOTO_DIR="$RAW_DIR/photos"
    local f ok=1
    for f in "${PHOTOS[@]}"; do [[ -s $PHOTO_DIR/$f ]] || ok=0; done
    ((ok)) && return 0
    local d
    d=$(mktemp -d)
    chmod 777 "$d"   # apt-get download drops to user _apt
    (cd "$d" && { apt-get download python3-skimage || { apt-get update && apt-get download python3-skimage; }; })
    dpkg -x "$d"/python3-skimage_*.deb "$d/x"
    mkdir -p "$PHOTO_DIR"
    for f in "${PHOTOS[@]}"; do
        cp "$d/x/usr/lib/python3/dist-packages/skimage/data/$f" "$PHOTO_DIR/"
    done
    rm -rf "$d"
}

# Real text for the terminals: licence texts and package copyright files.
TEXT_FILE=""
make_text() {
    TEXT_FILE="$RAW_DIR/text.txt"
    [[ -s $TEXT_FILE ]] && return 0
    {
        cat /usr/share/common-licenses/Apache-2.0
        ls -l --color=always /usr/bin | head -300
        find /usr/share/doc -maxdepth 2 -name copyright -print0 | sort -z | head -z -n 80 | xargs -0 cat
        cat /usr/share/common-licenses/GPL-3 /usr/share/common-licenses/MPL-2.0
    } >"$TEXT_FILE" 2>/dev/null || true
}

# ---------------------------------------------------------------- X session ---
# Every program of a scenario is started with setsid (own process group) and
# its group id kept in PIDS; stop_all kills exactly those groups.
PIDS=()
CAP_PID=""
CAP_RAW=""
CAP_T0=""
DNUM=""
SCEN_LOG=/dev/null
spawn() {
    setsid "$@" >>"$SCEN_LOG" 2>&1 </dev/null &
    PIDS+=("$!")
}
stop_all() {
    local pid
    for pid in "${PIDS[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
    sleep 0.5
    for pid in "${PIDS[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
    PIDS=()
    # a capture cut short (error, ^C): stop the grabber, drop its raw file
    if [[ -n $CAP_PID ]]; then
        kill "$CAP_PID" 2>/dev/null || true
        wait "$CAP_PID" 2>/dev/null || true
        CAP_PID=""
    fi
    if [[ -n $CAP_RAW ]]; then rm -f "$CAP_RAW"; CAP_RAW=""; fi
    if [[ -n $DNUM ]]; then rm -f "/tmp/.X$DNUM-lock" "/tmp/.X11-unix/X$DNUM" 2>/dev/null || true; fi
}

start_x() { # display-number
    [[ -e /tmp/.X$1-lock ]] && die "display :$1 is in use (set DISPLAY_BASE)"
    DNUM=$1
    spawn "${PRIO_X[@]}" Xvfb ":$DNUM" -screen 0 "${SW}x${SH}x24" -dpi 96 -nolisten tcp -noreset +extension GLX
    export DISPLAY=":$DNUM"
    local i
    for i in $(seq 100); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done
    xdpyinfo >/dev/null 2>&1 || die "Xvfb :$DNUM did not start"
    xsetroot -solid '#3b4252'
}

wait_window() { # name-regex -> prints window id
    local id
    id=$(timeout 40 xdotool search --sync --onlyvisible --name "$1" | head -1) || die "no window named $1"
    echo "$id"
}

window_rect() { # window-id -> "X Y W H" (absolute, without the X border)
    xwininfo -id "$1" | awk '/Absolute upper-left X/{x=$NF} /Absolute upper-left Y/{y=$NF}
        /^ *Width:/{w=$NF} /^ *Height:/{h=$NF} END{print x, y, w, h}'
}

XTERM_FONT=(-fa 'DejaVu Sans Mono' -fs 11)

# ---------------------------------------------------------------- capture ---
CAP_SKIP=0
capture_start() { # name
    local name=$1
    local raw="$CAP_TMP/$name.raw.nut" lg="$RAW_DIR/$name.ffmpeg.log"
    rm -f "$raw" "$RAW_DIR/$name.mkv" "$lg"
    # Grab to uncompressed rawvideo (no encoder on the capture path, so the
    # grabber keeps its 15 fps pace even with busy programs on 2 cores), then
    # transcode losslessly to ffv1 afterwards.
    "${PRIO_CAP[@]}" ffmpeg -nostdin -hide_banner -y -probesize 32 -analyzeduration 0 \
        -f x11grab -draw_mouse 0 -video_size "${SW}x${SH}" -framerate "$FPS" -i ":$DNUM" \
        -ss "$CAP_SKIP" -t "$DUR" -r "$FPS" -c:v rawvideo -pix_fmt bgr0 -f nut "$raw" 2>"$lg" &
    CAP_PID=$!
    CAP_RAW=$raw
    local i
    for i in $(seq 200); do grep -q 'start: ' "$lg" 2>/dev/null && break; sleep 0.02; done
    # x11grab stamps frames with the wall clock: "start:" is the first grabbed
    # frame's time; output frame i is the grab nearest start + CAP_SKIP + i/FPS.
    CAP_T0=$(sed -n 's/.*start: \([0-9.]*\).*/\1/p' "$lg" | head -1)
    [[ -n $CAP_T0 ]] || die "ffmpeg did not start (see $lg)"
    CAP_T0=$(awk -v a="$CAP_T0" -v b="$CAP_SKIP" 'BEGIN{printf "%.6f", a + b}')
    echo "$CAP_T0" >"$RAW_DIR/$name.t0"
}
capture_wait() { # name
    local name=$1 out="$RAW_DIR/$1.mkv" raw="$CAP_TMP/$1.raw.nut"
    wait "$CAP_PID" || { CAP_PID=""; die "ffmpeg failed (see $RAW_DIR/$name.ffmpeg.log)"; }
    CAP_PID=""
    tr '\r' '\n' <"$RAW_DIR/$name.ffmpeg.log" | grep -E 'dup=' | tail -1 >&2 || true
    # frame timing: every grab should be 1/FPS after the one before
    ffprobe -v error -select_streams v:0 -show_entries packet=pts_time -of csv=p=0 "$raw" |
        awk -v f="$FPS" 'NR > 1 { d = $1 - p; if (d > 1.5 / f || d < 0.5 / f) bad++ } { p = $1 }
            END { if (bad) print "WARNING: " bad " irregular frame intervals"; }' >&2
    ffmpeg -nostdin -v error -y -i "$raw" -c:v ffv1 -level 3 -slices 4 -threads 2 -pix_fmt bgr0 "$out"
    rm -f "$raw"
    CAP_RAW=""
    local info frames
    info=$(ffprobe -v error -select_streams v:0 -show_entries stream=codec_name,width,height,pix_fmt \
        -of csv=p=0 "$out")
    [[ $info == "ffv1,${SW},${SH},bgr0" ]] || die "$out is not lossless ffv1 bgr0 ${SW}x${SH}: $info"
    frames=$(ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames \
        -of csv=p=0 "$out")
    log "$name: captured $frames frames ($info), $(du -h "$out" | cut -f1)"
}

# Exact vertical scrolls inside the scenario's main window (RAW_DIR/NAME.rect)
# -> OUT_DIR/NAME.scrolls.txt, lines "FRAME scroll X,Y,W,H 0,DY".
find_scrolls() { # name
    local x y w h
    read -r x y w h <"$RAW_DIR/$1.rect"
    "$PY" "$HERE/find_scrolls.py" --capture "$RAW_DIR/$1.mkv" --rect "$x,$y,$w,$h" \
        --size ${SW}x${SH} --out "$OUT_DIR/$1.scrolls.txt"
}

import_trace() { # name [importer options...]
    local name=$1
    shift
    if [[ $IMPORT != 1 ]]; then
        log "$name: IMPORT=0, not importing"
        return 0
    fi
    ffmpeg -v error -i "$RAW_DIR/$name.mkv" -f rawvideo -pix_fmt bgr0 - | dotnet run -c Release --project "$REPO/Server" -- trace import --size ${SW}x${SH} --fps $FPS "$@" "$OUT_DIR/$name.fbt"
}

# -------------------------------------------------------------- scenarios ---

# 1. A large xterm (9x15 bitmap font: 2-colour text) printing real text at a
#    steady 75 lines/s (5 lines = 75 px per captured frame); the whole text
#    area scrolls.
scenario_terminal_scroll() {
    make_text
    spawn xterm -T corpus-term -geometry 132x56+40+30 -fn 9x15 -bg '#1d1f21' -fg '#c5c8c6' \
        -sl 1000 -e "$PY" -u -c '
import sys, time
lines = open(sys.argv[1], encoding="utf-8", errors="replace").read().splitlines()
rate = float(sys.argv[2]); t0 = time.time(); n = 0
while True:
    due = int((time.time() - t0) * rate)
    while n < due:
        sys.stdout.write(lines[n % len(lines)] + "\n"); n += 1
    sys.stdout.flush(); time.sleep(0.004)
' "$TEXT_FILE" 75
    local id
    id=$(wait_window '^corpus-term$')
    log "terminal-scroll: xterm rect $(window_rect "$id")"
    window_rect "$id" >"$RAW_DIR/terminal-scroll.rect"
    sleep 3
    capture_start terminal-scroll
    capture_wait terminal-scroll
    stop_all
    find_scrolls terminal-scroll
    import_trace terminal-scroll --annotate-file "$OUT_DIR/terminal-scroll.scrolls.txt"
}

# 2. Chromium (software rendering) showing a long local HTML document that
#    scrolls itself smoothly (JS, every animation frame) at SCROLL_SPEED CSS
#    px/s from a mouse click sent just after the capture starts.
BROWSER_X=320 BROWSER_Y=110 BROWSER_W=1280 BROWSER_H=820 SCROLL_SPEED=300
scenario_browser_scroll() {
    local page="$RAW_DIR/page.html" prof
    "$PY" "$HERE/make_page.py" "$page"
    prof=$(mktemp -d)
    spawn "${PRIO_LOW[@]}" chromium --no-sandbox --disable-gpu --no-first-run --no-default-browser-check \
        --disable-background-networking --disable-component-update --disable-sync --disable-quic \
        --disable-features=Translate,MediaRouter,OptimizationHints --password-store=basic \
        --test-type --force-device-scale-factor=1 --user-data-dir="$prof" \
        --window-position=$BROWSER_X,$BROWSER_Y --window-size=$BROWSER_W,$BROWSER_H \
        "file://$page?speed=$SCROLL_SPEED"
    local id x y w h
    id=$(wait_window 'Free software licences')   # the page's <title>: it has loaded
    read -r x y w h <<<"$(window_rect "$id")"
    log "browser-scroll: chromium rect $x $y $w $h"
    echo "$x $y $w $h" >"$RAW_DIR/browser-scroll.rect"
    # no window manager: the pointer gives the focus; park it on the page body
    xdotool mousemove $((x + w / 2)) $((y + h / 2))
    sleep 4
    capture_start browser-scroll
    sleep 0.3
    xdotool click 1   # the page starts scrolling 0.2 s after this click
    capture_wait browser-scroll
    stop_all
    rm -rf "$prof"
    find_scrolls browser-scroll
    import_trace browser-scroll --annotate-file "$OUT_DIR/browser-scroll.scrolls.txt"
}

# 3. feh slideshow (2 s per photo) of real photographs, zoomed to fit a
#    960x720 window, beside a small static xterm listing the files.
PHOTO_X=80 PHOTO_Y=160 PHOTO_W=960 PHOTO_H=720
scenario_photo_viewer() {
    fetch_photos
    spawn xterm -T corpus-photo-list -geometry 80x30+1120+160 "${XTERM_FONT[@]}" -bg '#fdf6e3' -fg '#586e75' \
        -e bash -c "cd '$PHOTO_DIR'; ls -l; echo; file *; exec sleep infinity"
    local files=()
    local f
    for f in "${PHOTOS[@]}"; do files+=("$PHOTO_DIR/$f"); done
    wait_window '^corpus-photo-list$' >/dev/null
    spawn feh --title corpus-photos -g ${PHOTO_W}x${PHOTO_H}+$PHOTO_X+$PHOTO_Y -Z -D 2 -B black "${files[@]}"
    local id
    id=$(wait_window '^corpus-photos$')
    log "photo-viewer: feh rect $(window_rect "$id")"
    window_rect "$id" >"$RAW_DIR/photo-viewer.rect"
    sleep 1.5
    capture_start photo-viewer
    capture_wait photo-viewer
    stop_all
    import_trace photo-viewer
}

# 4. ffplay playing a Ken-Burns video (H.264, made here from the photos) in a
#    borderless VIDEO_WxVIDEO_H window beside an xterm of static text.
VIDEO_X=1330 VIDEO_Y=340 VIDEO_W=320 VIDEO_H=180
make_video() {
    local out=$1
    [[ -s $out ]] && return 0
    fetch_photos
    local inputs=() filters="" i=0 f
    for f in astronaut.png coffee.png chelsea.png rocket.jpg motorcycle_left.png; do
        inputs+=(-i "$PHOTO_DIR/$f")   # one frame; zoompan makes d=100 frames of it
        # scale the photo up 4x (less zoompan jitter), then slowly zoom and pan
        filters+="[$i:v]scale=${VIDEO_W}*4:${VIDEO_H}*4:force_original_aspect_ratio=increase,crop=${VIDEO_W}*4:${VIDEO_H}*4,"
        filters+="zoompan=z='1+0.0025*on':x='(iw-iw/zoom)*on/100':y='(ih-ih/zoom)/2':d=100:s=${VIDEO_W}x${VIDEO_H}:fps=25,setsar=1[v$i];"
        i=$((i + 1))
    done
    local cat=""
    for ((j = 0; j < i; j++)); do cat+="[v$j]"; done
    ffmpeg -nostdin -v error -y "${inputs[@]}" -filter_complex "${filters}${cat}concat=n=$i:v=1:a=0,format=yuv420p[out]" \
        -map '[out]' -c:v libx264 -preset medium -crf 23 -r 25 "$out"
}
scenario_video_window() {
    local video="$RAW_DIR/kenburns-${VIDEO_W}x${VIDEO_H}.mp4"
    make_video "$video"
    make_text
    spawn xterm -T corpus-video-text -geometry 120x52+40+60 "${XTERM_FONT[@]}" -bg '#ffffff' -fg '#202020' \
        -e bash -c "sed -n '1,52p' /usr/share/common-licenses/Apache-2.0; exec sleep infinity"
    wait_window '^corpus-video-text$' >/dev/null
    spawn env SDL_AUDIODRIVER=dummy ffplay -hide_banner -loglevel error -an -loop 0 -noborder \
        -window_title corpus-video -left $VIDEO_X -top $VIDEO_Y -x $VIDEO_W -y $VIDEO_H "$video"
    local id rect
    id=$(wait_window '^corpus-video$')
    sleep 2
    rect=$(window_rect "$id")
    log "video-window: ffplay rect $rect"
    echo "$rect" >"$RAW_DIR/video-window.rect"
    [[ $rect == "$VIDEO_X $VIDEO_Y $VIDEO_W $VIDEO_H" ]] || die "ffplay window is at $rect"
    capture_start video-window
    capture_wait video-window
    stop_all
    import_trace video-window --annotate "video:$VIDEO_X,$VIDEO_Y,$VIDEO_W,$VIDEO_H"
}

# 5. A small dark xterm with coloured content dragged (xdotool windowmove,
#    30 steps/s, no window manager: the background xterm repaints what the
#    dragged window uncovers on Expose) over a full-screen xterm of text, in
#    three eased strokes with pauses in between. The moves are logged with
#    their wall-clock time and turned into per-frame "move" annotations.
DRAG_BG='#002b36'
scenario_window_drag() {
    spawn xterm -T corpus-drag-bg -geometry 211x60+0+0 "${XTERM_FONT[@]}" -bg '#fdf6e3' -fg '#333333' -bw 0 \
        -e bash -c 'sleep 1; pr -3 -t -W "$(tput cols)" /usr/share/common-licenses/GPL-3 | head -n $(($(tput lines) - 1)); exec sleep infinity'
    local bg
    bg=$(wait_window '^corpus-drag-bg$')
    xdotool windowmove "$bg" 0 0 windowsize "$bg" $SW $SH
    spawn xterm -T corpus-drag -geometry 60x14+60+60 "${XTERM_FONT[@]}" -bg "$DRAG_BG" -fg '#93a1a1' -bw 0 \
        -e bash -c 'printf "\e[?25l"; ls --color=always -C -w 60 /etc | head -n 8; echo
            for c in 41 42 43 44 45 46 47; do printf "\e[${c};30m  %3s   \e[0m" $c; done; echo
            for c in 100 101 102 103 104 105 106; do printf "\e[${c};30m  %3s   \e[0m" $c; done; echo
            printf "\e[1;33m%s\e[0m" "window-drag: moved by xdotool windowmove"
            exec sleep infinity'
    local id w h
    id=$(wait_window '^corpus-drag$')
    read -r _ _ w h <<<"$(window_rect "$id")"
    # schedule: "microseconds-from-start x y" at 30 Hz; P0 -> P1, pause, -> P2, pause, -> P3
    local sched="$RAW_DIR/window-drag.schedule"
    awk -v d="$DUR" -v w=$w -v h=$h -v sw=$SW -v sh=$SH 'BEGIN {
        D = d - 0.6
        px[0] = 60;            py[0] = 60
        px[1] = sw - w - 60;   py[1] = 200
        px[2] = (sw - w) / 2;  py[2] = sh - h - 60
        px[3] = 100;           py[3] = (sh - h) / 2 - 80
        split("0 0.27 0.36 0.63 0.72 0.97", tb, " ")   # stroke k: tb[2k+1] .. tb[2k+2]
        for (i = 0; i * 1000000 / 30 <= D * 1000000; i++) {
            t = i / 30 / D; x = px[3]; y = py[3]
            for (k = 0; k < 3; k++) {
                a = tb[2 * k + 1]; b = tb[2 * k + 2]
                if (t < a) { x = px[k]; y = py[k]; break }
                if (t < b) { u = (t - a) / (b - a); u = u * u * (3 - 2 * u)
                             x = px[k] + (px[k + 1] - px[k]) * u; y = py[k] + (py[k + 1] - py[k]) * u; break }
            }
            printf "%d %d %d\n", i * 1000000 / 30, x, y
        } }' >"$sched"
    local x0 y0
    read -r _ x0 y0 <"$sched"
    xdotool windowmove "$id" "$x0" "$y0"
    sleep 2
    log "window-drag: dragged xterm ${w}x${h} from $x0,$y0; background xterm $(window_rect "$bg")"
    local movelog="$RAW_DIR/window-drag.movelog"
    : >"$movelog"
    capture_start window-drag
    sleep 0.3   # the first stroke starts just after output frame 0
    local start=${EPOCHREALTIME/./} off x y lx=$x0 ly=$y0 now delay
    while read -r off x y; do
        now=${EPOCHREALTIME/./}
        delay=$((start + off - now))
        ((delay > 0)) && sleep "$((delay / 1000000)).$(printf '%06d' $((delay % 1000000)))"
        [[ $x == "$lx" && $y == "$ly" ]] && continue
        xdotool windowmove "$id" "$x" "$y" </dev/null
        echo "$EPOCHREALTIME $x $y $w $h" >>"$movelog"
        lx=$x ly=$y
    done <"$sched"
    capture_wait window-drag
    stop_all
    "$PY" "$HERE/drag_moves.py" --capture "$RAW_DIR/window-drag.mkv" --log "$movelog" \
        --t0 "$(cat "$RAW_DIR/window-drag.t0")" --fps $FPS --size ${SW}x${SH} --bg "$DRAG_BG" \
        --window ${w}x${h} --out "$OUT_DIR/window-drag.moves.txt"
    import_trace window-drag --annotate-file "$OUT_DIR/window-drag.moves.txt"
}

# 6. glxgears (Mesa llvmpipe, software GL) in a GL_WxGL_H window beside an
#    xterm showing the static output of glxinfo -B.
GL_X=1100 GL_Y=160 GL_W=640 GL_H=640
scenario_gl_anim() {
    spawn xterm -T corpus-gl-info -geometry 100x40+60+120 "${XTERM_FONT[@]}" -bg '#282a36' -fg '#f8f8f2' \
        -e bash -c 'printf "\e[?25l"; glxinfo -B; exec sleep infinity'
    wait_window '^corpus-gl-info$' >/dev/null
    spawn "${PRIO_LOW[@]}" env LP_NUM_THREADS=1 glxgears -geometry ${GL_W}x${GL_H}+$GL_X+$GL_Y
    local id
    id=$(wait_window '^glxgears$')
    sleep 2
    log "gl-anim: glxgears rect $(window_rect "$id")"
    window_rect "$id" >"$RAW_DIR/gl-anim.rect"
    capture_start gl-anim
    capture_wait gl-anim
    stop_all
    import_trace gl-anim
}

# ------------------------------------------------------------------- main ---
main() {
    local want=("$@") s
    ((${#want[@]})) || want=("${ALL[@]}")
    for s in "${want[@]}"; do
        [[ " ${ALL[*]} " == *" $s "* ]] || die "unknown scenario '$s' (know: ${ALL[*]})"
    done
    install_packages
    mkdir -p "$RAW_DIR" "$OUT_DIR"
    trap 'stop_all' EXIT
    trap 'exit 130' INT TERM
    local n=0
    for s in "${ALL[@]}"; do
        [[ " ${want[*]} " == *" $s "* ]] || { n=$((n + 1)); continue; }
        log "=== $s (display :$((DISPLAY_BASE + n)))"
        SCEN_LOG="$RAW_DIR/$s.programs.log"
        : >"$SCEN_LOG"
        DUR=${DUR_ALL:-${SCEN_DUR[$s]}}
        start_x $((DISPLAY_BASE + n))
        "scenario_${s//-/_}"
        stop_all
        DNUM=""
        n=$((n + 1))
    done
    log "done; estimate with: $PY $HERE/estimate_size.py $RAW_DIR/<name>.mkv"
}

main "$@"
