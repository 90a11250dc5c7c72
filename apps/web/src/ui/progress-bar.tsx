// A labelled progress bar (0–100 %) that screen readers read as its label, value and `valueText`.
export function ProgressBar({ label, percent, valueText }: { label: string; percent: number; valueText: string }) {
  return (
    <div className="progress" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent} aria-valuetext={valueText}>
      <div className="progress-fill" style={{ width: `${percent}%` }} />
    </div>
  );
}
