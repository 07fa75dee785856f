import { useMutation, useQueryClient } from '@tanstack/react-query';
import { DragEvent, FormEvent, useId, useRef, useState } from 'react';
import { FormattedMessage, useIntl } from 'react-intl';
import { api, ApiError, Attachment, Incident, upload, User } from '../api';
import { ErrorText, Time } from '../common';
import {
  acceptableFiles,
  canDelete,
  canUpload,
  downloadPath,
  formatSize,
  percent,
  SAMPLE_PASSWORD,
} from '../lib/attachments';

const HASHES = [
  ['md5', 'MD5'],
  ['sha1', 'SHA-1'],
  ['sha256', 'SHA-256'],
] as const;

/**
 * The incident's evidence: each file with its size, detected type, hashes (with copy) and a
 * malware badge; downloads (a malware sample only as the encrypted zip, its password shown);
 * uploads by drag and drop or the file chooser, with progress; deletion for coordinators.
 */
export function Attachments({ incident, user }: { incident: Incident; user: User }) {
  const intl = useIntl();
  const client = useQueryClient();
  const headingId = useId();
  const remove = useMutation({
    mutationFn: (a: Attachment) => api('DELETE', `/incidents/${incident.id}/attachments/${a.id}`),
    onSuccess: () => client.invalidateQueries({ queryKey: ['incident', incident.id] }),
  });
  const items = incident.attachments ?? [];
  return (
    <section aria-labelledby={headingId}>
      <h2 id={headingId}>
        <FormattedMessage id="attachments.title" />
      </h2>
      {items.length === 0 ? (
        <p>
          <FormattedMessage id="attachments.none" />
        </p>
      ) : (
        <table aria-labelledby={headingId} className="attachments">
          <thead>
            <tr>
              {['file', 'size', 'type', 'hashes', 'uploaded', 'actions'].map((c) => (
                <th key={c} scope="col">
                  <FormattedMessage id={`attachments.col.${c}`} />
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {items.map((a) => (
              <AttachmentRow
                key={a.id}
                incidentId={incident.id}
                attachment={a}
                deletable={canDelete(user, a)}
                onDelete={() => {
                  const question = intl.formatMessage(
                    { id: 'attachments.confirmDelete' },
                    { filename: a.filename },
                  );
                  if (window.confirm(question)) remove.mutate(a);
                }}
              />
            ))}
          </tbody>
        </table>
      )}
      <ErrorText error={remove.error} />
      {canUpload(user, incident) && <UploadForm incidentId={incident.id} />}
    </section>
  );
}

function AttachmentRow({
  incidentId,
  attachment: a,
  deletable,
  onDelete,
}: {
  incidentId: string;
  attachment: Attachment;
  deletable: boolean;
  onDelete(): void;
}) {
  const intl = useIntl();
  const href = downloadPath(incidentId, a);
  return (
    <tr className={a.deletedAt ? 'deleted' : undefined}>
      <th scope="row">
        <span className="filename">{a.filename}</span>{' '}
        {a.malware && (
          <span className="badge malware">
            <FormattedMessage id="attachments.malware" />
          </span>
        )}
        {a.deletedAt && (
          <span className="badge">
            <FormattedMessage id="attachments.deleted" /> <Time at={a.deletedAt} />
          </span>
        )}
        {a.originalFilename && (
          <div className="hint">
            <FormattedMessage
              id="attachments.originalName"
              values={{ name: <code>{a.originalFilename}</code> }}
            />
          </div>
        )}
        {a.description && <div className="description">{a.description}</div>}
      </th>
      <td>
        <span title={intl.formatNumber(a.size)}>{formatSize(a.size, intl.locale)}</span>
      </td>
      <td>
        <code>{a.contentType}</code>
      </td>
      <td>
        <dl className="hashes">
          {HASHES.map(([key, label]) => (
            <div key={key}>
              <dt>{label}</dt>
              <dd>
                <code>{a[key]}</code>{' '}
                <button
                  type="button"
                  aria-label={intl.formatMessage(
                    { id: 'attachments.copyHash' },
                    { hash: label, filename: a.filename },
                  )}
                  onClick={() => void navigator.clipboard?.writeText(a[key])}
                >
                  ⧉
                </button>
              </dd>
            </div>
          ))}
        </dl>
      </td>
      <td>
        <span className="actor">{a.uploadedBy}</span>
        <br />
        <Time at={a.createdAt} />
      </td>
      <td>
        {href && (
          <>
            <a href={href} download>
              {intl.formatMessage(
                { id: a.malware ? 'attachments.downloadZip' : 'attachments.download' },
                { filename: a.filename },
              )}
            </a>
            {a.malware && (
              <p className="password">
                <FormattedMessage
                  id="attachments.password"
                  values={{ password: <code>{SAMPLE_PASSWORD}</code> }}
                />
              </p>
            )}
          </>
        )}
        {deletable && (
          <button type="button" onClick={onDelete}>
            {intl.formatMessage({ id: 'attachments.delete' }, { filename: a.filename })}
          </button>
        )}
      </td>
    </tr>
  );
}

interface Progress {
  filename: string;
  loaded: number;
  total: number;
}

/**
 * Dropping files (or choosing them) only picks them: the malware flag must be decided
 * before a sample leaves the browser, so Upload sends them, one request per file.
 */
function UploadForm({ incidentId }: { incidentId: string }) {
  const intl = useIntl();
  const client = useQueryClient();
  const [files, setFiles] = useState<File[]>([]);
  const [description, setDescription] = useState('');
  const [malware, setMalware] = useState(false);
  const [over, setOver] = useState(false);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notes, setNotes] = useState<string[]>([]);
  const abort = useRef<AbortController | null>(null);
  const input = useRef<HTMLInputElement>(null);

  const pick = (list: FileList | null) => {
    const { accepted, empty } = acceptableFiles(Array.from(list ?? []));
    setFiles(accepted);
    setError(null);
    setNotes(
      empty.map((f) =>
        intl.formatMessage({ id: 'attachments.upload.empty' }, { filename: f.name }),
      ),
    );
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    pick(e.dataTransfer.files);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (files.length === 0 || progress) return;
    const controller = new AbortController();
    abort.current = controller;
    setError(null);
    const done: string[] = [];
    let current = '';
    try {
      for (const file of files) {
        current = file.name;
        const form = new FormData();
        if (description.trim()) form.append('description', description);
        form.append('malware', String(malware));
        form.append('file', file, file.name);
        setProgress({ filename: file.name, loaded: 0, total: file.size });
        await upload<Attachment>(
          `/incidents/${incidentId}/attachments`,
          form,
          (loaded, total) => setProgress({ filename: file.name, loaded, total }),
          controller.signal,
        );
        done.push(intl.formatMessage({ id: 'attachments.upload.done' }, { filename: file.name }));
      }
      setFiles([]);
      setDescription('');
      setMalware(false);
      if (input.current) input.current.value = '';
    } catch (err) {
      if (controller.signal.aborted) {
        done.push(
          intl.formatMessage({ id: 'attachments.upload.cancelled' }, { filename: current }),
        );
      } else setError(err instanceof ApiError ? err : new ApiError(0, null));
    } finally {
      abort.current = null;
      setProgress(null);
      setNotes(done);
      void client.invalidateQueries({ queryKey: ['incident', incidentId] });
    }
  };

  const busy = progress !== null;
  return (
    <form className="upload" onSubmit={(e) => void submit(e)}>
      <h3>
        <FormattedMessage id="attachments.upload.title" />
      </h3>
      <div
        className={over ? 'dropzone over' : 'dropzone'}
        onDragOver={(e) => {
          e.preventDefault();
          e.dataTransfer.dropEffect = 'copy';
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
      >
        <p>
          <FormattedMessage id="attachments.upload.drop" />
        </p>
        <label>
          {intl.formatMessage({ id: 'attachments.upload.choose' })}
          <input
            ref={input}
            type="file"
            multiple
            disabled={busy}
            onChange={(e) => pick(e.target.files)}
          />
        </label>
        {files.length > 0 && (
          <ul className="chosen">
            {files.map((f) => (
              <li key={`${f.name}|${f.size}|${f.lastModified}`}>
                {f.name} ({formatSize(f.size, intl.locale)})
              </li>
            ))}
          </ul>
        )}
      </div>
      <label>
        {intl.formatMessage({ id: 'attachments.upload.description' })}
        <input
          value={description}
          maxLength={1000}
          disabled={busy}
          onChange={(e) => setDescription(e.target.value)}
        />
      </label>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={malware}
          disabled={busy}
          onChange={(e) => setMalware(e.target.checked)}
        />
        {intl.formatMessage({ id: 'attachments.upload.malware' }, { password: SAMPLE_PASSWORD })}
      </label>
      <button type="submit" disabled={busy || files.length === 0}>
        {intl.formatMessage({ id: 'attachments.upload.submit' })}
      </button>
      {progress && (
        <div className="progress">
          <progress
            max={100}
            value={percent(progress.loaded, progress.total)}
            aria-label={intl.formatMessage(
              { id: 'attachments.upload.progress' },
              { filename: progress.filename },
            )}
          />{' '}
          {intl.formatNumber(percent(progress.loaded, progress.total) / 100, { style: 'percent' })}{' '}
          <button type="button" onClick={() => abort.current?.abort()}>
            {intl.formatMessage({ id: 'attachments.upload.cancel' })}
          </button>
        </div>
      )}
      <div role="status">
        {notes.map((n) => (
          <p key={n}>{n}</p>
        ))}
      </div>
      <ErrorText error={error} />
    </form>
  );
}
