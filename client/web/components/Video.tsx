import { useEffect, useRef } from 'react';

/** A <video> (or, for audio-only calls, <audio>) playing a MediaStream. */
export function StreamView({
  stream,
  muted,
  testId,
  audioOnly,
}: {
  stream: MediaStream | null;
  muted: boolean;
  testId: string;
  audioOnly: boolean;
}) {
  const ref = useRef<HTMLVideoElement & HTMLAudioElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el || el.srcObject === stream) return;
    el.srcObject = stream;
    // Autoplay may be refused without a user gesture; the call was started or accepted by a click.
    if (stream) el.play().catch((err) => console.warn('playback refused', err));
  }, [stream]);
  return audioOnly ? (
    <audio ref={ref} data-testid={testId} autoPlay muted={muted} />
  ) : (
    <video ref={ref} data-testid={testId} autoPlay playsInline muted={muted} />
  );
}
