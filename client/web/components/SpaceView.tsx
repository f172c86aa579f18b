import type { Space } from '../hooks/useRoute.ts';
import { lazy, Suspense } from 'react';
import type { SpaceProps } from './space-props.ts';

// Documents, boards and task lists load with their first use, not with the app (the initial bundle has a budget).
const DocView = lazy(() => import('./docs/DocView.tsx').then((m) => ({ default: m.DocView })));
const BoardView = lazy(() => import('./boards/BoardView.tsx').then((m) => ({ default: m.BoardView })));
const TaskListView = lazy(() => import('./tasks/TaskListView.tsx').then((m) => ({ default: m.TaskListView })));

/** The open document, board or task list of a group. */
export function SpaceView({ space, ...props }: Omit<SpaceProps, 'id'> & { space: Space }) {
  return (
    <Suspense
      fallback={
        <div className="empty" data-testid="space-loading">
          <p>Loading…</p>
        </div>
      }
    >
      {space.kind === 'doc' ? (
        <DocView key={space.id} id={space.id} {...props} />
      ) : space.kind === 'board' ? (
        <BoardView key={space.id} id={space.id} {...props} />
      ) : (
        <TaskListView key={space.id} id={space.id} {...props} />
      )}
    </Suspense>
  );
}
