import { QueryClient, QueryClientProvider, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  createRootRoute,
  createRoute,
  createRouter,
  Link,
  Navigate,
  Outlet,
  RouterProvider,
} from '@tanstack/react-router';
import { createContext, ReactNode, useContext, useEffect, useRef, useState } from 'react';
import { FormattedMessage, useIntl } from 'react-intl';
import { api, ApiError, Me, setCsrfToken, User } from './api';
import { LanguageSwitch, typingIn } from './common';
import { LanguageProvider, useLang } from './i18n';
import { closeLiveEvents, useLiveRefresh } from './live';
import { Activate } from './pages/activate';
import { Admin } from './pages/admin';
import { Dashboard } from './pages/dashboard';
import { Deliveries } from './pages/deliveries';
import { Enrol } from './pages/enrol';
import { IncidentPage } from './pages/incident';
import { NewIncident } from './pages/new-incident';
import { Profile } from './pages/profile';
import { Queue } from './pages/queue';
import { Reports } from './pages/reports';
import { SignIn } from './pages/sign-in';

const SessionContext = createContext<Me | null>(null);
const useSession = () => useContext(SessionContext)!;

/** The screens each role has, in the order the header lists them. */
function navFor(role: User['role']): { to: string; id: string }[] {
  const items = [{ to: '/incidents', id: 'nav.incidents' }];
  if (role !== 'admin') items.push({ to: '/incidents/new', id: 'nav.new' });
  items.push({ to: '/dashboard', id: 'nav.dashboard' }, { to: '/reports', id: 'nav.reports' });
  if (role !== 'analyst') items.push({ to: '/deliveries', id: 'nav.deliveries' });
  if (role === 'admin') items.push({ to: '/admin', id: 'nav.admin' });
  items.push({ to: '/profile', id: 'nav.profile' });
  return items;
}

function Shell() {
  const me = useSession();
  const client = useQueryClient();
  const intl = useIntl();
  const live = useLiveRefresh();
  const [help, setHelp] = useState(false);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (typingIn(e)) return;
      if (e.key === '?') setHelp((h) => !h);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  return (
    <>
      <a className="skip" href="#main">
        <FormattedMessage id="nav.skip" />
      </a>
      <header>
        <nav aria-label={intl.formatMessage({ id: 'app.title' })}>
          {navFor(me.user.role).map((item) => (
            <Link
              key={item.to}
              to={item.to}
              activeOptions={{ exact: true, includeSearch: false }}
              activeProps={{ 'aria-current': 'page' }}
            >
              <FormattedMessage id={item.id} />
            </Link>
          ))}
        </nav>
        <span>
          <FormattedMessage
            id="nav.user"
            values={{ name: me.user.displayName || me.user.username }}
          />
        </span>
        <LanguageSwitch />
        <button type="button" aria-keyshortcuts="?" onClick={() => setHelp(true)}>
          <FormattedMessage id="nav.shortcuts" />
        </button>
        <button
          type="button"
          onClick={() => {
            void api('POST', '/auth/logout').finally(() => {
              closeLiveEvents();
              setCsrfToken(null);
              void client.resetQueries({ queryKey: ['me'] });
            });
          }}
        >
          <FormattedMessage id="nav.signout" />
        </button>
      </header>
      {!live && (
        <p role="status" className="live-down">
          <FormattedMessage id="live.down" />
        </p>
      )}
      {help && <ShortcutsDialog onClose={() => setHelp(false)} />}
      <div id="main">
        <Outlet />
      </div>
    </>
  );
}

const SHORTCUTS: [string, string][] = [
  ['/', 'search'],
  ['j / k', 'move'],
  ['x', 'select'],
  ['Enter / o', 'open'],
  ['a', 'assign'],
  ['c', 'comment'],
  ['?', 'help'],
  ['Esc', 'close'],
];

/** The `?` list: a modal dialog (focus inside, Escape closes, focus goes back). */
function ShortcutsDialog({ onClose }: { onClose(): void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  return (
    <dialog ref={ref} className="shortcuts" aria-labelledby="shortcuts-title" onClose={onClose}>
      <h2 id="shortcuts-title">
        <FormattedMessage id="shortcuts.title" />
      </h2>
      <p>
        <FormattedMessage id="shortcuts.typing" />
      </p>
      <table aria-labelledby="shortcuts-title">
        <thead>
          <tr>
            <th scope="col">
              <FormattedMessage id="shortcuts.key" />
            </th>
            <th scope="col">
              <FormattedMessage id="shortcuts.action" />
            </th>
          </tr>
        </thead>
        <tbody>
          {SHORTCUTS.map(([key, id]) => (
            <tr key={id}>
              <td>
                <kbd>{key}</kbd>
              </td>
              <td>
                <FormattedMessage id={`shortcuts.${id}`} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" onClick={onClose} autoFocus>
        <FormattedMessage id="shortcuts.closeButton" />
      </button>
    </dialog>
  );
}

/** A route's page with the signed-in user. */
const withUser = (Page: (props: { user: User }) => ReactNode) =>
  function Routed() {
    return <Page user={useSession().user} />;
  };

const rootRoute = createRootRoute({ component: Shell });
const page = (path: string, Page: (props: { user: User }) => ReactNode) =>
  createRoute({ getParentRoute: () => rootRoute, path, component: withUser(Page) });

const router = createRouter({
  routeTree: rootRoute.addChildren([
    createRoute({
      getParentRoute: () => rootRoute,
      path: '/',
      component: () => <Navigate to="/incidents" />,
    }),
    page('/incidents', Queue),
    page('/incidents/new', NewIncident),
    page('/incidents/$id', IncidentPage),
    page('/dashboard', Dashboard),
    page('/reports', Reports),
    page('/deliveries', Deliveries),
    page('/admin', Admin),
    page('/profile', Profile),
  ]),
  basepath: '/console',
  // Plain query strings (`?status=new,triaged`), as the API takes them.
  parseSearch: (search) => Object.fromEntries(new URLSearchParams(search)),
  stringifySearch: (search) => {
    const text = new URLSearchParams(search as Record<string, string>).toString();
    return text ? `?${text}` : '';
  },
});

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
}

/** Who is signed in decides what shows: sign-in, second-factor enrolment, or the console. */
function Session() {
  const client = useQueryClient();
  const { adopt, forget } = useLang();
  const me = useQuery({
    queryKey: ['me'],
    queryFn: async (): Promise<{ session: Me | null; singleSignOn: boolean }> => {
      try {
        const me = await api<Me>('GET', '/auth/me');
        return {
          session: me.user.totpEnrolled ? me : { ...me, enrolOnly: await mustEnrol() },
          singleSignOn: false,
        };
      } catch (e) {
        // Signed out: the 401 also says whether single sign-on is configured.
        if (e instanceof ApiError && e.status === 401) {
          return { session: null, singleSignOn: e.problem?.singleSignOn === true };
        }
        throw e;
      }
    },
    retry: false,
  });
  const session = me.data?.session;
  useEffect(() => {
    setCsrfToken(session?.csrfToken ?? null);
  }, [session]);
  useEffect(() => {
    if (session) adopt(session.user);
    else forget();
    // Once per sign-in: the person's language (see LanguageProvider.adopt).
  }, [session?.user.id]);
  if (me.isLoading) return null;
  const activation = /^#token=(.+)$/.exec(window.location.hash);
  if (!session && window.location.pathname.endsWith('/activate') && activation) {
    return (
      <Activate
        token={decodeURIComponent(activation[1])}
        onDone={() => window.location.replace('/console/')}
      />
    );
  }
  if (!session) {
    return (
      <SignIn
        singleSignOn={me.data?.singleSignOn ?? false}
        onSignedIn={(next) => {
          setCsrfToken(next.csrfToken);
          void client.invalidateQueries({ queryKey: ['me'] });
        }}
      />
    );
  }
  if (session.enrolOnly) {
    return <Enrol onDone={() => void client.invalidateQueries({ queryKey: ['me'] })} />;
  }
  return (
    <SessionContext.Provider value={session}>
      <RouterProvider router={router} />
    </SessionContext.Provider>
  );
}

/**
 * Whether this session may only enrol a second factor: the service says so (403
 * second-factor-enrolment-required) on any other route, as it decides by role.
 */
async function mustEnrol(): Promise<boolean> {
  try {
    await api('GET', '/incidents?limit=1');
    return false;
  } catch (e) {
    return e instanceof ApiError && e.kind === 'second-factor-enrolment-required';
  }
}

const queryClient = new QueryClient({
  defaultOptions: { queries: { refetchOnWindowFocus: false, retry: 1 } },
});

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <LanguageProvider>
        <Session />
      </LanguageProvider>
    </QueryClientProvider>
  );
}

export { LanguageSwitch };
