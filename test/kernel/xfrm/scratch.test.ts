import { it } from 'vitest';
import { spawn } from '../../../src/kernel/index.js';
import { lab, transportSas, capture, KEY_AB, KEY_BA } from './lab.js';
import { tempCaptureDir, tsharkFields } from '../../support/tshark.js';
it('scratch', () => {
  const l = lab();
  transportSas(l);
  const cap = capture(l.a.device('eth0')!);
  spawn(l.registry, { ns: l.b, argv: ['nc', '-l', '-p', '8080'], userland: 'busybox' });
  console.log(l.sh('ping -c 1 10.0.0.2', { ns: 'a' }).code);
  const r = l.sh('nc -z -v -w 2 10.0.0.2 8080', { ns: 'a', userland: 'busybox' });
  console.log(r);
  const files = tempCaptureDir();
  const path = files.write('x.pcap', cap.bytes());
  const sa = (src: string, dst: string, spi: string, key: string) => ['-o', `uat:esp_sa:"IPv4","${src}","${dst}","${spi}","AES-GCM with 16 octet ICV [RFC4106]","${key}","NULL",""`];
  console.log(tsharkFields(path, ['frame.protocols', 'esp.spi', 'esp.sequence']));
  console.log(tsharkFields(path, ['frame.protocols', 'esp.icv_good', 'ip.src'], ['-o', 'esp.enable_encryption_decode:TRUE', '-o', 'esp.enable_authentication_check:TRUE', ...sa('10.0.0.1', '10.0.0.2', '0x00000100', KEY_AB), ...sa('10.0.0.2', '10.0.0.1', '0x00000200', KEY_BA)]));
  files.cleanup();
});
