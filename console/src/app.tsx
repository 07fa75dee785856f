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
import { createContext, useContext, useEffect, useState } from 'react';
import { FormattedMessage, useIntl } from 'react-intl';
import { api, ApiError, Me, setCsrfToken } from './api';
import { LanguageSwitch, typingIn } from './common';
import { LanguageProvider, useLang } from './i18n';
import { closeLiveEvents, useLiveRefresh } from './live';
import { Activate } from './pages/activate';
import { Enrol } from './pages/enrol';
import { IncidentPage } from './pages/incident';
import { Queue } from './pages/queue';
import { SignIn } from './pages/sign-in';

const SessionContext = createContext<Me | null>(null);
const useSession = () => useContext(SessionContext)!;

function Shell() {
  const me = useSession();
  const client = useQueryClient();
  const intl = useIntl();
  const live = useLiveRefresh();
  const [help, setHelp] = useState(false);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setHelp(false);
      if (typingIn(e)) return;
      if (e.key === '?') setHelp((h) => !h);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  return (
    <>
      <header>
        <nav aria-label={intl.formatMessage({ id: 'app.title' })}>
          <Link to="/incidents">
            <FormattedMessage id="nav.incidents" />
          </Link>
        </nav>
        <span>
          <FormattedMessage
            id="nav.user"
            values={{ name: me.user.displayName || me.user.username }}
          />
        </span>
        <LanguageSwitch />
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
      {help && (
        <aside
          role="dialog"
          aria-label={intl.formatMessage({ id: 'shortcuts.title' })}
          className="shortcuts"
        >
          <h2>
            <FormattedMessage id="shortcuts.title" />
          </h2>
          <ul>
            {['search', 'move', 'select', 'open', 'assign', 'comment', 'help'].map((k) => (
              <li key={k}>
                <FormattedMessage id={`shortcuts.${k}`} />
              </li>
            ))}
          </ul>
          <button type="button" onClick={() => setHelp(false)}>
            <FormattedMessage id="shortcuts.close" />
          </button>
        </aside>
      )}
      <Outlet />
    </>
  );
}

const rootRoute = createRootRoute({ component: Shell });
const indexRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/',
  component: () => <Navigate to="/incidents" />,
});
const queueRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/incidents',
  component: Queue,
});
const incidentRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/incidents/$id',
  component: function Incident() {
    return <IncidentPage user={useSession().user} />;
  },
});

const router = createRouter({
  routeTree: rootRoute.addChildren([indexRoute, queueRoute, incidentRoute]),
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
    queryFn: async () => {
      try {
        const me = await api<Me>('GET', '/auth/me');
        return me.user.totpEnrolled ? me : { ...me, enrolOnly: await mustEnrol() };
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) return null;
        throw e;
      }
    },
    retry: false,
  });
  const session = me.data;
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
