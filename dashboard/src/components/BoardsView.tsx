/** Every board with its counts per state (each a link to those jobs) and a pause/resume button. */
import { JOB_STATES } from '../../../lib/states.js';
import { api, type BoardView } from '../api.js';
import { useActions, useLoaded } from '../loading.js';
import { jobsRoute } from '../route.js';
import { Link } from './Link.js';
import { Pending } from './Pending.js';
import { TableHead, ViewSection } from './Parts.js';

export function BoardsView() {
  const boards = useLoaded('loading boards', 'boards', () => api.listBoards());
  return (
    <ViewSection title="Boards">
      <p class="hint">A paused board accepts posts but starts none of its jobs until it is resumed.</p>
      {boards.data === undefined ? <Pending loaded={boards} what="boards" /> : <BoardTable boards={boards.data.boards} reload={boards.reload} />}
    </ViewSection>
  );
}

function BoardTable({ boards, reload }: { boards: readonly BoardView[]; reload: () => void }) {
  const { busy, run } = useActions();
  const setPaused = async (board: BoardView, paused: boolean) => {
    if (await run(`${paused ? 'pausing' : 'resuming'} board ${board.name}`, () => api.updateBoard(board.name, { paused }))) reload();
  };
  if (boards.length === 0) return <p class="empty">No boards yet: post a job to make one.</p>;
  return (
    <table class="boards">
      <TableHead columns={['Board', 'Status', 'Max running', ...JOB_STATES, 'Action']} numeric={JOB_STATES} />
      <tbody>
        {boards.map((board) => (
          <tr key={board.name} data-board={board.name} data-paused={String(board.paused)}>
            <th scope="row">
              <Link to={jobsRoute({ board: board.name })}>{board.name}</Link>
            </th>
            <td>{board.paused ? <span class="state state-paused">paused</span> : 'running'}</td>
            <td>{board.maxRunning ?? 'no limit'}</td>
            {JOB_STATES.map((state) => (
              <td key={state} class="count">
                {board.counts[state] === 0 ? '0' : <Link to={jobsRoute({ board: board.name, state })}>{board.counts[state]}</Link>}
              </td>
            ))}
            <td>
              <button type="button" class={board.paused ? undefined : 'secondary'} disabled={busy} onClick={() => setPaused(board, !board.paused)}>
                {board.paused ? 'Resume' : 'Pause'} <span class="visually-hidden">board {board.name}</span>
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
