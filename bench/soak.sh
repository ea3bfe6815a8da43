#!/bin/bash
# soak.sh [MINUTES]: a confgw serve under phone calls coming and going
# (loadtest --cps), 40 held phone legs and 4 WebRTC legs (loadtest --legs),
# app participants moved between the main room and two breakout rooms
# every 15 s, and a recording of the main room started every 2 minutes and
# stopped a minute later. The serve process's goroutines and Go heap in
# use (/metrics), threads, descriptors and RSS (/proc) are sampled every
# 30 s into $OUT/samples.txt, and its goroutines are dumped at the end
# into $OUT/goroutines.txt. Linux, with curl and jq.
#
#	go build -o /tmp/confgw ./cmd/confgw
#	C=/tmp/confgw bench/soak.sh 60
set -u
mins=${1:-20}
C=${C:-/tmp/confgw}
OUT=${OUT:-soak-out}
mkdir -p "$OUT"
d=$(mktemp -d /tmp/soakdata.XXXX)
# One host loads the gateway: the per-source caps are lifted, as for any
# load test from a single address.
CONFGW_API_KEY=secret $C serve --sip 127.0.0.1:5072 --http 127.0.0.1:8072 --webrtc-udp 127.0.0.1:7872 \
	--pprof 127.0.0.1:6072 --data-dir "$d" --state memory --invite-rate-per-source 0 --max-unacked-per-source 0 >"$OUT/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$d"' EXIT
for _ in $(seq 50); do curl -s -o /dev/null http://127.0.0.1:8072/metrics && break; sleep 0.2; done
export CONFGW_SERVER=http://127.0.0.1:8072 CONFGW_TOKEN=secret
$C rooms add --conference demo >/dev/null
$C rooms add --conference demo >/dev/null
$C participants add --conference demo --name Mover1 --client-version 5.0 >/dev/null
$C participants add --conference demo --name Mover2 --client-version 5.0 >/dev/null

start=$(date +%s)
sample() {
	local m g heap legs
	m=$(curl -s http://127.0.0.1:8072/metrics)
	g=$(echo "$m" | awk '/^go_goroutines/{print $2}')
	heap=$(echo "$m" | awk '/^go_memstats_heap_inuse_bytes/{print int($2/1048576)}')
	legs=$(echo "$m" | awk '/^confgw_phone_legs/{s+=$2} END{print s+0}')
	echo "$(($(date +%s) - start)) $g $(awk '/^Threads/{print $2}' /proc/$pid/status) $(ls /proc/$pid/fd | wc -l)" \
		"$(awk '/^VmRSS/{print int($2/1024)}' /proc/$pid/status) $heap $legs $(cut -d' ' -f1 /proc/loadavg)"
}
echo "t_s goroutines threads fds rss_mb heap_inuse_mb phone_legs loadavg1" >"$OUT/samples.txt"
sample >>"$OUT/samples.txt"
$C loadtest --target 127.0.0.1:5072 --legs 40 --rate 10 --hold "${mins}m" --talkers 2 --webrtc 4 \
	--server http://127.0.0.1:8072 --token secret >"$OUT/hold.txt" 2>&1 &
h=$!
$C loadtest --target 127.0.0.1:5072 --cps 2 --duration "${mins}m" --call-hold 15s >"$OUT/cps.txt" 2>&1 &
c=$!
rooms=(main 1 2)
k=0 moves=0 recs=0
end=$((start + mins * 60 + 30))
while [ "$(date +%s)" -lt $end ]; do
	sleep 15
	k=$((k + 1))
	for p in $($C participants --conference demo -o json | jq -r '.participants[] | select(.kind=="app" and .role!="host") | .id'); do
		$C move --conference demo "$p" "${rooms[$((k % 3))]}" >/dev/null 2>>"$OUT/script.err" && moves=$((moves + 1))
	done
	if [ $((k % 8)) -eq 0 ]; then
		$C record start --conference demo >/dev/null 2>>"$OUT/script.err" && recs=$((recs + 1))
	fi
	if [ $((k % 8)) -eq 4 ]; then
		$C record stop --conference demo >/dev/null 2>>"$OUT/script.err"
	fi
	if [ $((k % 2)) -eq 0 ]; then
		sample >>"$OUT/samples.txt"
	fi
done
wait $h $c
echo "moves $moves recordings $recs" >>"$OUT/samples.txt"
# Calls, moves and recordings are over: what is left should be what the
# gateway held at the start.
sleep 30
sample >>"$OUT/samples.txt"
$C recordings --conference demo >"$OUT/recordings.txt"
curl -s "http://127.0.0.1:6072/debug/pprof/goroutine?debug=1" >"$OUT/goroutines.txt"
