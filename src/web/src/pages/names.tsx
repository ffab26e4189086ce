// Names kept from publishing: blocked and reserved names (unblock from here), and the names of
// deleted crates still held until their block ends.
import type { NameHolds } from '../../../admin/responder-types.js';
import type { ActionSpec } from '../actions.js';
import { seg } from '../api.js';
import { ActionButton } from '../components/action-dialog.js';
import { DataTable } from '../components/data-table.js';
import { ErrorMessage, Loading } from '../components/page-state.js';
import { PageHeader } from '../components/page-header.js';
import { formatAge, formatTime } from '../format.js';
import { useApi } from '../use-api.js';

const unblock = (name: string, kind: string): ActionSpec => ({
  label: `Unblock ${name}`,
  title: `Lift the ${kind === 'blocked' ? 'block' : 'reservation'} of ${name}`,
  description: 'Anyone may publish a crate under this name again.',
  method: 'DELETE',
  path: `/api/admin/names/${seg(name)}`,
  done: `${name} is no longer ${kind}`,
});

export function NamesPage() {
  const { data, error, reload } = useApi<NameHolds>('/api/admin/names');
  return (
    <>
      <PageHeader title="Blocked names" />
      {error && <ErrorMessage error={error} onRetry={reload} />}
      {!data && !error && <Loading what="blocked names" />}
      {data && (
        <>
          <DataTable
            columns={['Name', 'Kind', 'Reason', 'Since', 'Actions']}
            isEmpty={data.names.length === 0}
            empty="No name is blocked or reserved."
            testId="names-table"
          >
            {data.names.map((n) => (
              <tr key={n.name} data-name={n.name}>
                <td className="mono">{n.name}</td>
                <td>{n.kind}</td>
                <td>{n.reason ?? <span className="muted">—</span>}</td>
                <td title={formatTime(n.createdAt)}>{formatAge(n.createdAt)}</td>
                <td>
                  <ActionButton spec={unblock(n.name, n.kind)} onDone={reload} />
                </td>
              </tr>
            ))}
          </DataTable>
          <h2>Deleted crates whose names are held</h2>
          <DataTable
            columns={['Name', 'Deleted', 'Free again', 'Reason']}
            isEmpty={data.deletedCrates.length === 0}
            empty="No deleted crate's name is held."
            testId="deleted-names-table"
          >
            {data.deletedCrates.map((d) => (
              <tr key={`${d.name}-${d.deletedAt}`}>
                <td className="mono">{d.name}</td>
                <td title={formatTime(d.deletedAt)}>{formatAge(d.deletedAt)}</td>
                <td>{formatTime(d.availableAt)}</td>
                <td>{d.reason ?? <span className="muted">—</span>}</td>
              </tr>
            ))}
          </DataTable>
        </>
      )}
    </>
  );
}
