#!/bin/bash
# Build a private copy: HEAD + my files (+ files they depend on from other helpers' in-progress work if needed)
set -e
D=/tmp/cnmcopy
rm -rf $D && mkdir -p $D
cd /work/main
git archive HEAD | tar -x -C $D
ln -s /work/main/node_modules $D/node_modules
for f in src/engine/trace.ts src/engine/index.ts src/kernel/device.ts src/kernel/netns.ts src/kernel/sysctl.ts src/kernel/skb.ts src/kernel/hooks.ts src/kernel/devices/bridge-input.ts src/kernel/devices/bridge.ts src/kernel/devices/fdb.ts src/kernel/devices/netdev.ts src/kernel/devices/veth.ts src/kernel/ipv4/*.ts $EXTRA; do cp $f $D/$f; done
cp -r src/kernel/xfrm $D/src/kernel/ 2>/dev/null || true
cp .prof/prof.ts $D/prof.ts
sed -i "s#'\.\./#'./#g" $D/prof.ts
