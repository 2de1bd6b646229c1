import type { DashboardInfo } from '../api/schemas/index.js';
import { ApiClient, errorText } from './api-client.js';

/** A lakestream project this dashboard can reach: its API and what it runs. */
export interface Project {
  readonly name: string;
  readonly api: ApiClient;
  /** Undefined when the project did not answer (its error is in `problem`). */
  readonly info?: DashboardInfo;
  readonly problem?: string;
}

/** The serving project and its peers. */
export interface Workspace {
  readonly home: Project;
  readonly projects: readonly Project[];
}

/** Loads `/v1/dashboard` from the serving origin and from every peer it lists. */
export async function loadWorkspace(): Promise<Workspace> {
  const homeApi = new ApiClient('');
  const info = await homeApi.dashboard();
  const home: Project = { name: info.project, api: homeApi, info };
  const peers = await Promise.all(
    info.peers
      .filter((peer) => peer.project !== info.project)
      .map(async (peer): Promise<Project> => {
        const api = new ApiClient(peer.url);
        try {
          return { name: peer.project, api, info: await api.dashboard(AbortSignal.timeout(5000)) };
        } catch (error) {
          return { name: peer.project, api, problem: errorText(error) };
        }
      }),
  );
  return { home, projects: [home, ...peers] };
}

/** The first reachable project that has a stream of this name. */
export function projectWithStream(workspace: Workspace, stream: string): Project | undefined {
  return workspace.projects.find((project) => project.info?.streams.some((s) => s.stream === stream));
}

/** A project by name, or the serving one. */
export function projectNamed(workspace: Workspace, name: string | null): Project {
  return workspace.projects.find((project) => project.name === name) ?? workspace.home;
}
