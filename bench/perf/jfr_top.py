#!/usr/bin/env python3
"""Aggregate `jfr print --events jdk.ExecutionSample` output: top frames (self time), and the
methods most often on the stack (total time), with the share of all samples."""
import collections, re, sys

text = open(sys.argv[1]).read()
events = text.split('jdk.ExecutionSample')
top, anywhere, threads = collections.Counter(), collections.Counter(), collections.Counter()
by_class, sy_self, cats = collections.Counter(), collections.Counter(), collections.Counter()
# Inclusive shares of a few areas (a sample counts for every area that has a frame on its stack).
AREAS = [('HTTP decoding (HttpObjectDecoder.decode)', 'HttpObjectDecoder.decode'),
         ('HTTP encoding (HttpObjectEncoder)', 'HttpObjectEncoder'),
         ('buffer allocation and release (*Allocator)', 'Allocator'),
         ('metrics recording (dev.switchyard.metrics)', 'dev.switchyard.metrics'),
         ('socket writes (doWrite)', 'doWrite'),
         ('request id (RequestIds)', 'RequestIds'),
         ('X-Forwarded-* (ForwardedHeaders)', 'ForwardedHeaders'),
         ('access log (dev.switchyard.accesslog)', 'dev.switchyard.accesslog')]
n = 0
for ev in events[1:]:
    m = re.search(r'stackTrace = \[\n(.*?)\n\s*\]', ev, re.S)
    if not m:
        continue
    frames = [re.sub(r'\s+line:.*$', '', f.strip()) for f in m.group(1).split('\n') if f.strip() and f.strip() != '...']
    if not frames:
        continue
    n += 1
    top[frames[0]] += 1
    by_class[frames[0].split('(')[0].rsplit('.', 1)[0]] += 1
    # the innermost Switchyard frame: which of our methods the sample is spent under
    sy = next((f for f in frames if f.startswith('dev.switchyard.')), '(no Switchyard frame)')
    sy_self[sy] += 1
    joined = ' '.join(frames)
    for name, pat in AREAS:
        if pat in joined:
            cats[name] += 1
    for f in set(frames):
        anywhere[f] += 1
    t = re.search(r'sampledThread = "([^"]*)"', ev)
    threads[re.sub(r'\d+', '#', t.group(1)) if t else '?'] += 1

print(f'samples: {n}')
print('\nTop 10 frames (self, share of samples):')
for f, c in top.most_common(10):
    print(f'{100.0 * c / n:5.1f}%  {c:6d}  {f}')
print('\nTop 25 frames on the stack (total, share of samples):')
for f, c in anywhere.most_common(25):
    print(f'{100.0 * c / n:5.1f}%  {c:6d}  {f}')
print('\nTop 10 classes of the top frame (self):')
for f, c in by_class.most_common(10):
    print(f'{100.0 * c / n:5.1f}%  {c:6d}  {f}')
print('\nInnermost Switchyard frame on the stack (what the time is spent under):')
for f, c in sy_self.most_common(12):
    print(f'{100.0 * c / n:5.1f}%  {c:6d}  {f}')
print('\nInclusive share of some areas:')
for name, _ in AREAS:
    print(f'{100.0 * cats[name] / n:5.1f}%  {cats[name]:6d}  {name}')
print('\nSamples by thread:')
for t, c in threads.most_common(8):
    print(f'{100.0 * c / n:5.1f}%  {c:6d}  {t}')
