/** A file's extension in a small tile ("PDF", "ZIP"), standing in for an icon. */
export function FileBadge({ name }: { name: string }) {
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 ? name.slice(dot + 1, dot + 5).toUpperCase() : 'FILE';
  return (
    <span className="file-badge" aria-hidden="true">
      {ext}
    </span>
  );
}
