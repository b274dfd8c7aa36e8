import Link from "next/link";

export default function NotFound() {
  return (
    <div className="narrow card">
      <h1>Not found</h1>
      <p className="muted">That page or event does not exist, or it is no longer available.</p>
      <Link href="/" className="button">
        Browse events
      </Link>
    </div>
  );
}
